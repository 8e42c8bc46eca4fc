"""端末と稼働時間 (terminal register, operating hours, off-hours use)"""
