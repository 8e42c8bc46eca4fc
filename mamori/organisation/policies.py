"""Who changes who holds a role: appointments (任命・代理者の指定) and absences (事故があるとき) decide
who approves, so only mamori's administrators (情報政策課) record them."""

import rules

from mamori.core.policy import is_admin

rules.add_perm("organisation.manage_roles", is_admin)
