"""The Japanese title of each rule, for the findings list's filter and export (a clerk never sees
a rule's code).  Keyed by the code a domain's ``rules.py`` registers with ``@rule``; the findings
app imports no domain, so the titles are data here."""

from __future__ import annotations

RULE_TITLES: dict[str, str] = {
    "access.expired_entitlement_used": "期限切れ・削除済みの権限の利用",
    "access.entitlement_past_validity": "有効期間を過ぎても開いている権限",
    "access.revocation_proposal_open": "異動・退職者の権限の削除漏れ",
    "accounts.temporary_password_not_changed": "仮パスワードの未変更（ログイン）",
    "credentials.temporary_password_not_changed": "仮パスワード・PINの未変更（システム）",
    "credentials.viewing_id_not_returned": "閲覧用ユーザIDの未返却",
    "designations.entitlement_without_designation": "指定のない権限",
    "events.off_hours_use": "時間外の利用",
    "events.terminal_used_by_undesignated": "指定されていない者の端末利用・未登録の端末",
    "events.terminal_outside_purpose": "目的外の端末の利用",
    "events.system_used_without_entitlement": "権限のないシステムの利用",
    "events.identity_information_access": "本人確認情報の利用",
    "events.shared_user_id": "ユーザIDの共用",
    "events.search_beyond_limits": "上限を超える検索・抽出",
    "events.subject_outside_duties": "担当外の対象者の参照",
    "events.training_use": "研修としての利用",
    "organisation.role_without_holder": "不在で代理のない職",
    "reviews.campaign_overdue": "期限を過ぎた棚卸",
    "reviews.lines_overdue": "期限を過ぎた棚卸の未確認行",
    "reviews.review_due": "定期確認（棚卸）の未実施",
}


def rule_title(code: str) -> str:
    return RULE_TITLES.get(code, "その他の規則")
