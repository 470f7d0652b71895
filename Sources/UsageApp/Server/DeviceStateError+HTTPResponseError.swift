import DeviceState
import Foundation
import HTTPTypes
import Hummingbird

extension Problem {
    /// The HTTP face of a domain error.
    init(_ error: DeviceStateError) {
        let detail = error.message
        switch error {
        case .machineNotFound: self.init(status: .notFound, code: "machine_not_found", detail: detail)
        case .useNotFound: self.init(status: .notFound, code: "use_not_found", detail: detail)
        case .alertNotFound: self.init(status: .notFound, code: "alert_not_found", detail: detail)
        case .residentNotFound: self.init(status: .notFound, code: "resident_not_found", detail: detail)
        case .noticeNotFound: self.init(status: .notFound, code: "notice_not_found", detail: detail)
        case .reportNotFound: self.init(status: .notFound, code: "report_not_found", detail: detail)
        case .machineBusy(let status): self.init(status: .conflict, code: "machine_busy", detail: detail, machine: status)
        case .machineBroken(let status): self.init(status: .conflict, code: "machine_broken", detail: detail, machine: status)
        case .machineNotInUse(let status):
            self.init(status: .conflict, code: "machine_not_in_use", detail: detail, machine: status)
        case .machineNotBroken(let status):
            self.init(status: .conflict, code: "machine_not_broken", detail: detail, machine: status)
        case .machineNotDone(let status): self.init(status: .conflict, code: "machine_not_done", detail: detail, machine: status)
        case .machineExists: self.init(status: .conflict, code: "machine_exists", detail: detail)
        case .noticeRetracted: self.init(status: .conflict, code: "notice_retracted", detail: detail)
        case .reportResolved: self.init(status: .conflict, code: "report_resolved", detail: detail)
        case .machineHeld(let status): self.init(status: .conflict, code: "machine_held", detail: detail, machine: status)
        case .alreadyWaiting: self.init(status: .conflict, code: "already_waiting", detail: detail)
        case .waitlistEntryNotFound: self.init(status: .notFound, code: "waitlist_entry_not_found", detail: detail)
        case .kioskNotFound: self.init(status: .notFound, code: "kiosk_not_found", detail: detail)
        case .notUseOwner: self.init(status: .forbidden, code: "not_use_owner", detail: detail)
        case .useAlreadyClosed(let use): self.init(status: .conflict, code: "use_closed", detail: detail, use: use)
        case .cancelWindowPassed(let use, _): self.init(status: .conflict, code: "cancel_window_passed", detail: detail, use: use)
        case .ownUse(let use): self.init(status: .conflict, code: "own_use", detail: detail, use: use)
        case .enrollmentCodeInvalid: self.init(status: .unauthorized, code: "enrollment_code_invalid", detail: detail)
        case .residentRevoked: self.init(status: .forbidden, code: "resident_revoked", detail: detail)
        case .tooManyPushSubscriptions:
            self.init(status: .conflict, code: "too_many_push_subscriptions", detail: detail)
        case .invalidInput: self.init(status: .unprocessableContent, code: "invalid_input", detail: detail)
        case .idempotencyKeyReused: self.init(status: .unprocessableContent, code: "idempotency_key_reused", detail: detail)
        case .rateLimited(let seconds, _):
            self.init(status: .tooManyRequests, code: "rate_limited", detail: detail, headers: [.retryAfter: String(seconds)])
        }
    }
}

extension DeviceStateError: HTTPResponseError {
    public var status: HTTPResponse.Status { Problem(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try Problem(self).response(from: request, context: context)
    }
}
