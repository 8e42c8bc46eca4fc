"""指定 (designated operators and handlers)"""
