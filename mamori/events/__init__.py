"""操作記録 (ingested operation events)"""
