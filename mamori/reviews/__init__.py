"""定期確認 (review campaigns of the management file)"""
