"""帳票出力 (xlsx and PDF exports)"""
