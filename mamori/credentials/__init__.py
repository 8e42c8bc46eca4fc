"""パスワード・ID・閲覧用ID (managed-system passwords, MAI-23 IDs, viewing-ID loans)"""
