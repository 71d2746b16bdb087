"""The error hierarchy: one base class, a subclass per family of API answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

if TYPE_CHECKING:
    from ._models import CheckIn

__all__ = [
    "WaitroomError",
    "APIConnectionError",
    "APITimeoutError",
    "ValidationError",
    "AuthenticationError",
    "PermissionDeniedError",
    "PolicyForbidsError",
    "NotFoundError",
    "ConflictError",
    "PayloadTooLargeError",
    "RateLimitError",
    "ServiceUnavailableError",
    "InternalServerError",
    "WaitroomTimeoutError",
    "WebhookVerificationError",
]


class WaitroomError(Exception):
    """A failed call.

    For an answer of the API, ``code``, ``message``, ``status_code`` and ``details`` are the
    server's own and ``request_id`` is its ``X-Request-Id``. Failures without an answer have
    ``status_code`` 0 and the code ``NETWORK_ERROR`` or ``TIMEOUT``.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = 0,
        details: Optional[Dict[str, Any]] = None,
        request_id: Optional[str] = None,
        retry_after: Optional[float] = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.details: Dict[str, Any] = dict(details or {})
        self.request_id = request_id
        #: Seconds the server asked to wait (``RATE_LIMITED``, ``SERVICE_UNAVAILABLE``).
        self.retry_after = retry_after
        self.body = body

    def __str__(self) -> str:
        where = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"{self.code}{where}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status_code={self.status_code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class APIConnectionError(WaitroomError):
    """No answer: the connection failed or was cut (``NETWORK_ERROR``)."""


class APITimeoutError(APIConnectionError):
    """No answer within the per-attempt timeout (``TIMEOUT``)."""


class ValidationError(WaitroomError):
    """400 ``VALIDATION_ERROR``: ``details["field"]`` names the field."""


class AuthenticationError(WaitroomError):
    """401 ``UNAUTHORIZED``: a missing, invalid or expired credential."""


class PermissionDeniedError(WaitroomError):
    """403 ``FORBIDDEN``: authenticated, but not allowed (wrong actor kind, room scopes)."""


class PolicyForbidsError(PermissionDeniedError):
    """403 ``POLICY_FORBIDS``: a room rule forbids the action (``details["check_in_id"]``)."""


class NotFoundError(WaitroomError):
    """404 ``NOT_FOUND``: absent, or in another organization."""


class ConflictError(WaitroomError):
    """409 ``CONFLICT``: the resource is not in a state that allows the call."""


class PayloadTooLargeError(WaitroomError):
    """413 ``PAYLOAD_TOO_LARGE``."""


class RateLimitError(WaitroomError):
    """429 ``RATE_LIMITED``: ``retry_after`` holds the seconds to wait."""


class InternalServerError(WaitroomError):
    """A 5xx answer (``INTERNAL`` and others)."""


class ServiceUnavailableError(InternalServerError):
    """503 ``SERVICE_UNAVAILABLE``: the server cannot reach its database for now."""


class WaitroomTimeoutError(WaitroomError):
    """``check_in_and_wait`` / ``wait_for_decision`` ran out of ``max_wait``.

    ``check_in`` is the still pending check-in: keep its id to resume the wait later.
    """

    def __init__(self, message: str, check_in: Optional["CheckIn"] = None) -> None:
        super().__init__(message, code="TIMEOUT", status_code=0)
        self.check_in = check_in


class WebhookVerificationError(Exception):
    """A webhook whose signature, timestamp or headers do not check out."""


_BY_CODE = {
    "VALIDATION_ERROR": ValidationError,
    "UNAUTHORIZED": AuthenticationError,
    "FORBIDDEN": PermissionDeniedError,
    "POLICY_FORBIDS": PolicyForbidsError,
    "NOT_FOUND": NotFoundError,
    "CONFLICT": ConflictError,
    "PAYLOAD_TOO_LARGE": PayloadTooLargeError,
    "RATE_LIMITED": RateLimitError,
    "SERVICE_UNAVAILABLE": ServiceUnavailableError,
}

_BY_STATUS = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}

_CODE_OF_STATUS = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}


def _number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def error_from_response(
    status: int, body: Any, headers: Mapping[str, str]
) -> WaitroomError:
    """The error of an HTTP answer: the API's envelope when there is one, else from the status."""
    envelope = body.get("error") if isinstance(body, dict) else None
    request_id = headers.get("x-request-id")
    retry_after = None
    if isinstance(envelope, dict):
        retry_after = _number(envelope.get("retryAfter"))
    if retry_after is None:
        retry_after = _number(headers.get("retry-after"))
    if (
        isinstance(envelope, dict)
        and isinstance(envelope.get("code"), str)
        and isinstance(envelope.get("message"), str)
    ):
        code = envelope["code"]
        status_code = envelope.get("statusCode")
        if not isinstance(status_code, int) or isinstance(status_code, bool):
            status_code = status
        details = envelope.get("details")
        message = envelope["message"]
    else:
        code = _CODE_OF_STATUS.get(status) or ("INTERNAL" if status >= 500 else f"HTTP_{status}")
        status_code = status
        details = None
        message = f"HTTP {status} without an error body"
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else WaitroomError
    return cls(
        message,
        code=code,
        status_code=status_code,
        details=details if isinstance(details, dict) else None,
        request_id=request_id,
        retry_after=retry_after,
        body=body,
    )
