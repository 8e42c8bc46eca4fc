def installation(request):
    return {}
