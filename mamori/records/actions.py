"""What a record says was done: one typed list of every action (issue 9 item 5).

The stored value is the code the chain has always held (``access.entitlement.registered``), so every
record written before this list existed still verifies; the label is what a clerk reads on a screen
(「権限を登録」).  A service names its action as a member (``RecordAction.ENTITLEMENT_REGISTERED``):
:class:`mamori.records.services.Entry` refuses anything else, so a new action is added here first,
with its label.  Values are never renamed: the hash of every record holds them.
"""

from __future__ import annotations

from django.db import models


class RecordAction(models.TextChoices):
    # --- access: information systems, privileges and the management file (管理ファイル) ---------
    SYSTEM_REGISTERED = "access.system.registered", "情報システムを登録"
    SYSTEM_CHANGED = "access.system.changed", "情報システムを変更"
    PRIVILEGE_DEFINED = "access.privilege.defined", "操作権限を定義"
    CONTRACT_REGISTERED = "access.contract.registered", "保守契約を登録"
    ENTITLEMENT_REGISTERED = "access.entitlement.registered", "権限を登録"
    ENTITLEMENT_CHANGED = "access.entitlement.changed", "権限を変更"
    ENTITLEMENT_ACTIVATED = "access.entitlement.activated", "権限を有効化"
    ENTITLEMENT_REVOKED = "access.entitlement.revoked", "権限を解除"
    ENTITLEMENT_EXPIRED = "access.entitlement.expired", "権限の期間満了"
    ENTITLEMENT_DELETED = "access.entitlement.deleted", "権限を削除"
    USER_REGISTRATION_RECORDED = "access.user_registration.recorded", "利用者登録を記録"
    BIOMETRIC_RECORDED = "access.biometric.recorded", "生体情報の登録を記録"
    PROPOSAL_OPENED = "access.proposal.opened", "異動による解除の提案"
    PROPOSAL_APPLIED = "access.proposal.applied", "解除の提案を反映"
    PROPOSAL_DISMISSED = "access.proposal.dismissed", "解除の提案を見送り"
    # --- accounts: mamori's own log-ins ------------------------------------------------------------
    ACCOUNT_CREATED = "accounts.created", "アカウントを作成"
    ACCOUNT_DISABLED = "accounts.disabled", "アカウントを無効化"
    ACCOUNT_ENABLED = "accounts.enabled", "アカウントを有効化"
    ACCOUNT_LOCKED = "accounts.locked", "アカウントをロック"
    ACCOUNT_UNLOCKED = "accounts.unlocked", "アカウントのロックを解除"
    LOGIN_SUCCEEDED = "accounts.login.succeeded", "ログイン"
    LOGIN_FAILED = "accounts.login.failed", "ログイン失敗（パスワード誤り）"
    LOGIN_REFUSED_DISABLED = "accounts.login.refused_disabled", "ログイン拒否（無効なアカウント）"
    LOGIN_REFUSED_LOCKED = "accounts.login.refused_locked", "ログイン拒否（ロック中）"
    LOGIN_REFUSED_UNKNOWN = "accounts.login.refused_unknown", "ログイン拒否（未登録の利用者名）"
    PASSWORD_CHANGED = "accounts.password.changed", "パスワードを変更"
    TEMPORARY_PASSWORD_ISSUED = "accounts.password.temporary_issued", "仮パスワードを発行"
    # --- credentials: passwords and IDs of the managed systems -------------------------------------
    CREDENTIAL_ISSUED = "credentials.credential.issued", "仮パスワード・暗証番号を発行"
    CREDENTIAL_NOTIFIED = "credentials.credential.notified", "仮パスワード・暗証番号を通知"
    CREDENTIAL_CHANGED = "credentials.credential.changed", "パスワード・暗証番号の変更を記録"
    CREDENTIAL_REPLACED = "credentials.credential.replaced", "パスワード・暗証番号を再発行（旧を失効）"
    CREDENTIAL_REVOKED = "credentials.credential.revoked", "パスワード・暗証番号を失効"
    VERIFICATION_ID_ISSUED = "credentials.verification_id.issued", "照合IDを発行"
    VERIFICATION_ID_ENDED = "credentials.verification_id.ended", "照合IDを廃止"
    OPERATOR_ID_ISSUED = "credentials.operator_id.issued", "操作者IDを発行"
    OPERATOR_ID_ENDED = "credentials.operator_id.ended", "操作者IDを廃止"
    VIEWING_ID_REGISTERED = "credentials.viewing_id.registered", "閲覧用IDを登録"
    LOAN_LENT = "credentials.loan.lent", "閲覧用IDを貸出"
    LOAN_RETURNED = "credentials.loan.returned", "閲覧用IDの返却"
    # --- designations (指定簿) ---------------------------------------------------------------------
    DESIGNATION_ADDED = "designations.designation.added", "指定を登録"
    DESIGNATION_ENDED = "designations.designation.ended", "指定を解除"
    DESIGNATION_REPORTED = "designations.designation.reported", "指定を報告"
    # --- registers built on the register layer: "<spec.name>.add|change|end" ----------------------
    # (the designations register adds and ends through its own services above: only its change)
    DESIGNATIONS_CHANGE = "designations.change", "指定を変更"
    EQUIPMENT_ADD = "equipment.add", "安全管理設備を登録"
    EQUIPMENT_CHANGE = "equipment.change", "安全管理設備を変更"
    EQUIPMENT_END = "equipment.end", "安全管理設備を撤去"
    MEDIA_ADD = "media.add", "記録媒体を登録"
    MEDIA_CHANGE = "media.change", "記録媒体を変更"
    MEDIA_END = "media.end", "記録媒体を廃棄"
    MEDIUM_EVENT_RECORDED = "media.medium.event_recorded", "記録媒体の追加・更新を記録"
    MEDIUM_COPIED = "media.medium.copied", "記録媒体を複写（予備を作成）"
    MEDIUM_CHECKED_OUT = "media.medium.checked_out", "記録媒体を持出し"
    MEDIUM_RETURNED = "media.medium.returned", "記録媒体を返却"
    EQUIPMENT_INSPECTED = "equipment.inspection.recorded", "安全管理設備の点検を記録"
    # --- events: operation logs (操作記録) ---------------------------------------------------------
    EVENT_SOURCE_CREATED = "events.source.created", "操作記録の取込元を登録"
    EVENT_SOURCE_CHANGED = "events.source.changed", "操作記録の取込元を変更"
    EVENT_CHUNK_APPENDED = "events.chunk.appended", "操作記録を取込み（区切り）"
    EVENT_BATCH_INGESTED = "events.batch.ingested", "操作記録の取込みを完了"
    EVENT_BATCH_INTERRUPTED = "events.batch.interrupted", "操作記録の取込みが中断"
    EVENTS_PURGED = "events.purged", "保存期間を過ぎた操作記録を廃棄"
    AUDIT_SEARCHED = "events.audit.searched", "操作記録を検索"
    # --- findings (指摘) ---------------------------------------------------------------------------
    FINDING_OPENED = "findings.opened", "指摘を登録"
    FINDING_REOPENED = "findings.reopened", "指摘を再登録"
    FINDING_RESOLVED = "findings.resolved", "指摘を是正済に"
    FINDING_ACCEPTED = "findings.accepted", "指摘を理由付きで受容"
    FINDING_REOPENED_BY_ADMINISTRATOR = "findings.open", "指摘を未対応に戻す"
    # --- organisation ------------------------------------------------------------------------------
    UNIT_CREATED = "organisation.unit.created", "所属を作成"
    UNIT_IMPORTED = "organisation.unit.imported", "所属を取込み"
    UNIT_UPDATED = "organisation.unit.updated", "所属を更新（取込み）"
    POST_CREATED = "organisation.post.created", "職を作成"
    PERSON_CREATED = "organisation.person.created", "職員を作成"
    PERSON_IMPORTED = "organisation.person.imported", "職員を取込み"
    PERSON_UPDATED = "organisation.person.updated", "職員を更新（取込み）"
    ASSIGNMENT_CREATED = "organisation.assignment.created", "配置を作成"
    ASSIGNMENT_IMPORTED = "organisation.assignment.imported", "配置を取込み"
    ASSIGNMENT_MOVED = "organisation.assignment.moved", "異動"
    ASSIGNMENT_ENDED = "organisation.assignment.ended", "配置を終了"
    ABSENCE_REGISTERED = "organisation.absence.registered", "不在（代理）を登録"
    ROLE_APPOINTED = "organisation.role.appointed", "役割に任命"
    ROLE_APPOINTMENT_ENDED = "organisation.role.appointment_ended", "役割の任命を終了"
    PACK_ACTIVATED = "regulations.pack.activated", "規程パックを適用"
    # --- reviews (定期確認) ------------------------------------------------------------------------
    CAMPAIGN_LAUNCHED = "reviews.campaign.launched", "定期確認を開始"
    CAMPAIGN_CLOSED = "reviews.campaign.closed", "定期確認を終了"
    LINE_CONFIRMED = "reviews.line.confirmed", "定期確認で適正と確認"
    LINE_REVOKED = "reviews.line.revoked", "定期確認で解除"
    LINE_CORRECTED = "reviews.line.corrected", "定期確認で修正"
    LINE_UNDECIDED = "reviews.line.undecided", "定期確認が未確認のまま終了"
    # --- terminals (端末機) ------------------------------------------------------------------------
    TERMINAL_REGISTERED = "terminals.terminal.registered", "端末機を登録"
    TERMINAL_CHANGED = "terminals.terminal.changed", "端末機を変更"
    TERMINAL_RETIRED = "terminals.terminal.retired", "端末機の使用を終了"
    # --- rooms (入退室管理簿) ------------------------------------------------------------------------
    ROOM_LOG_ADD = "room_log.add", "入室を記録"
    ROOM_LOG_CHANGE = "room_log.change", "入退室管理簿を変更"
    ROOM_LOG_END = "room_log.end", "退室を記録"
    # --- workflows: requests and decisions (申請・承認) --------------------------------------------
    REQUEST_FILED = "workflow.request.filed", "申請"
    REQUEST_RESUBMITTED = "workflow.request.resubmitted", "再申請"
    REQUEST_WITHDRAWN = "workflow.request.withdrawn", "申請を取下げ"
    STEP_APPROVED = "workflow.step.approve", "承認"
    STEP_REJECTED = "workflow.step.reject", "却下"
    STEP_RETURNED = "workflow.step.return", "差戻し"
    NOTIFICATION_READ = "workflows.notification.read", "通知を既読に"

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored action; a value no longer in this list is shown as it was stored."""
        try:
            return str(cls(value).label)
        except ValueError:
            return value

    @classmethod
    def of_register(cls, name: str, verb: str) -> RecordAction:
        """The action of a register built on the register layer (``equipment`` + ``add``): each
        register declares its three members above."""
        try:
            return cls(f"{name}.{verb}")
        except ValueError:
            raise LookupError(
                f"RecordAction has no member for {name}.{verb}: add the register's add/change/end "
                "to mamori/records/actions.py"
            ) from None
