import Foundation

// The Korean catalogue: every sentence of ``AlertText`` and ``Message`` as a Korean dorm app
// says it, short and polite (해요체), not translated word for word. Times are the dorm's
// wall clock (the server's time zone), formatted by Foundation for the `ko_KR` locale.
// Particles after a placeholder (을/를, 이/가) depend on the word put in, so sentences are
// built to need none there.

extension AlertText {
    var korean: String {
        switch self {
        case .endingSoonTitle(let machine): "\(machine) 곧 끝나요"
        case .endingSoonBody(let machine, let location, let minutes):
            "\(location)의 \(machine) 세탁물이 \(minutes)분 후에 끝나요."
        case .cycleDoneTitle(let machine): "\(machine) 완료"
        case .cycleDoneBody(let machine, let location): "\(location)의 \(machine) 세탁물을 찾아가세요."
        case .pickupReminderTitle: "세탁물이 기다리고 있어요"
        case .pickupReminderBody(let machine, let location, let minutes):
            "\(location)의 \(machine) 세탁물이 끝난 지 \(minutes)분 지났어요."
        case .pickupRequestTitle(let machineId): "\(machineId) 사용을 기다리는 분이 있어요"
        case .pickupRequestBody(let machine, let location):
            "\(location)의 \(machine) 세탁이 끝났어요. 세탁물을 찾아가 주세요."
        case .useClosedTitle(let machineId): "\(machineId) 사용이 종료됐어요"
        case .useClosedByBreakdownBody(let machine, let note):
            "\(machine) 고장으로 표시됐어요\(note.map { ": \($0)" } ?? ""). 세탁물을 찾아가 주세요."
        case .useClosedByAdminBody(let machine): "관리자가 \(machine) 사용을 종료했어요. 세탁물을 찾아가 주세요."
        case .useClosedByAutoReleaseBody(let machine, let minutes):
            "세탁이 끝난 지 \(minutes)분이 지나도록 찾아가지 않아 \(machine) 다른 분이 쓸 수 있게 됐어요. 세탁물을 찾아가 주세요."
        case .noticeAlertTitle(let severity):
            switch severity {
            case .info: "세탁실 안내"
            case .warning: "세탁실 주의"
            case .outage: "세탁실 고장 안내"
            }
        case .machineFreeTitle(let kind): "\(kind.korean) 비었어요"
        case .machineFreeBody(let machine, let location, let heldMinutes):
            "\(location)의 \(machine) 비었어요. "
                + (heldMinutes.map { "\($0)분 동안 맡아 둘게요." } ?? "다른 분보다 먼저 시작하세요.")
        case .reportConfirmedTitle(let machineId, let residents): "\(machineId) 고장 신고 \(residents)명"
        case .reportConfirmedBody(let machine, let location, let latest): "\(location)의 \(machine), 최근 신고: \(latest)"
        case .machineRepairedTitle(let machineId): "\(machineId) 다시 쓸 수 있어요"
        case .machineRepairedBody(let machine, let location, let reported):
            "\(location)의 \(machine) 수리됐어요." + (reported ? " 신고해 주셔서 고마워요." : "")
        case .notice(let text, let texts): texts[Language.korean.rawValue] ?? text
        }
    }
}

extension Message {
    var korean: String {
        switch self {
        case .outageNotice(let machine, let note): "\(machine) 고장: \(note)"
        case .backInServiceNotice(let machine): "\(machine) 다시 쓸 수 있어요."

        case .machineNotFound(let id): "\(id.quotedForMessage) 기기가 없어요."
        case .useNotFound(let id): "\(id.quotedForMessage) 사용 기록이 없어요."
        case .alertNotFound(let id): "내 알림 중에 \(id.quotedForMessage) 알림이 없어요."
        case .residentNotFound(let id): "\(id.quotedForMessage) 입주민이 없어요."
        case .noticeNotFound(let id): "\(id.quotedForMessage) 공지가 없어요."
        case .reportNotFound(let id): "\(id.quotedForMessage) 신고가 없어요."
        case .machineBusy(let id, let endsAt):
            "\(id) 사용 중이에요\(endsAt.map { " (\($0.koreanTime)에 끝나요)" } ?? "")."
        case .machineBroken(let id, let note): "\(id) 고장이에요\(note.map { ": \($0)" } ?? "")."
        case .machineNotInUse(let id, let state): "\(id) 사용 중이 아니에요 (지금: \(state.korean))."
        case .machineNotBroken(let id, let state): "\(id) 고장 상태가 아니에요 (지금: \(state.korean))."
        case .machineStillRunning(let id, let endsAt): "\(id) \(endsAt.koreanTime)까지 돌아가요. 끝난 뒤에 요청하세요."
        case .machineHasNoFinishedCycle(let id, let state):
            "\(id)에 찾아가기를 기다리는 세탁물이 없어요 (지금: \(state.korean))."
        case .machineExists(let id): "\(id.quotedForMessage) 기기가 이미 있어요."
        case .noticeAlreadyRetracted(let id): "\(id.quotedForMessage) 공지는 이미 내려졌어요."
        case .reportAlreadyResolved(let id): "\(id.quotedForMessage) 신고는 이미 처리됐어요."
        case .machineHeld(let id, let until): "\(id) 기다리던 분을 위해 \(until.koreanTime)까지 맡아 두었어요."
        case .alreadyWaiting(let kind): "이미 \(kind.korean) 대기 중이에요. 바꾸려면 먼저 대기를 취소하세요."
        case .waitlistEntryNotFound(let id): "내 대기 목록에 \(id.quotedForMessage) 항목이 없어요."
        case .kioskNotFound(let id): "\(id.quotedForMessage) 키오스크가 없어요."
        case .notUseOwner: "다른 입주민의 사용이에요."
        case .useAlreadyClosed(let reason): "이미 끝난 사용이에요 (\(reason?.korean ?? "종료"))."
        case .cancelWindowPassed(let minutes): "시작 후 \(minutes)분 안에만 취소할 수 있어요. 대신 수거 완료를 눌러 주세요."
        case .ownLaundry: "내 세탁물이에요."
        case .enrollmentCodeInvalid: "없거나 이미 쓰였거나 만료된 등록 코드예요. 관리자에게 새 코드를 받으세요."
        case .residentRevoked(let id): "\(id.quotedForMessage) 입주민은 등록이 취소됐어요."
        case .tooManyPushSubscriptions(let limit):
            "알림은 기기 \(limit)대까지 켤 수 있어요. 더 이상 쓰지 않는 기기에서 꺼 주세요."
        case .invalidInput(let field, let reason): "\(field) 값이 올바르지 않아요: \(reason.korean)."
        case .idempotencyKeyReused: "이 Idempotency-Key는 다른 요청에 이미 쓰였어요. 새 요청에는 새 키를 쓰세요."
        case .rateLimited(let limit, let seconds): "\(limit.korean) \(seconds)초 후에 다시 해 주세요."

        case .kioskReadOnly: "키오스크는 현황만 보여 줘요. 아무것도 바꿀 수 없어요."
        case .kioskOnly: "키오스크 전용이에요. 입주민 앱은 /api/me를 읽어요."
        case .staffOnly: "열린 신고는 담당자만 볼 수 있어요. 관리자가 담당자로 지정해 줘요."
        case .kioskTokenInvalid: "없거나 취소된 키오스크 링크예요. 관리자에게 새 링크를 받으세요."
        case .signInFirst: "먼저 등록 코드로 로그인하세요."
        case .bearerFormat: "'Authorization: Bearer <token>' 형식으로 보내 주세요."
        case .sessionTokenMalformed: "세션 토큰이 올바르지 않아요. 다시 로그인하세요."
        case .sessionEnded: "세션이 끝났거나 취소됐어요. 다시 로그인하세요."
        case .foreignOriginForCookie(let origin): "세션 쿠키로 보내는 요청은 \(origin)에서만 받아요."
        case .foreignOriginForLive(let origin): "실시간 현황은 \(origin) 페이지에만 보내요."
        case .sinceNotASequenceNumber: "since는 이벤트 번호여야 해요."
        case .idempotencyKeyFormat(let maxLength): "Idempotency-Key는 보이는 ASCII 문자 1~\(maxLength)자여야 해요."
        case .bodyNotJSONMediaType: "본문을 application/json으로 보내 주세요."
        case .bodyNotJSON: "본문이 올바른 JSON이 아니에요."
        case .bodyNotJSONObject: "본문은 JSON 객체여야 해요."
        case .missingField(let path): "'\(path)' 항목이 없어요."
        case .fieldType(let path, let expected): "'\(path)' 항목은 \(expected.korean)여야 해요."
        case .fieldNull(let path, let expected): "'\(path)' 항목은 null이 아닌 \(expected.korean)여야 해요."
        case .fieldValueNotAllowed(let path): "'\(path)' 항목에 쓸 수 없는 값이에요."
        case .bodyTooLarge: "요청 본문이 너무 커요."
        case .noSuchResource(let method, let path): "없는 주소예요: \(method) \(path)."
        case .methodNotAllowed(let method, let allowed): "여기서는 \(method) 요청을 받지 않아요. \(allowed) 요청을 쓰세요."
        case .internalError: "서버가 응답하지 못했어요. 오류는 기록됐어요."
        case .databaseUnavailable: "데이터베이스를 읽을 수 없어요."
        case .databaseBusy: "데이터베이스가 다른 변경을 처리하고 있어요. 저장되지 않았으니 잠시 후에 다시 해 주세요."
        case .databaseNotWritable:
            "지금은 서버가 변경을 저장할 수 없어요 (디스크가 가득 찼거나 읽기 전용이에요). 저장되지 않았어요. 조회는 돼요."
        case .requestTimedOut: "요청이 제때 도착하지 않았어요. 다시 보내 주세요."
        case .requestNotHTTP: "요청을 HTTP/1.1로 읽을 수 없어요."
        case .tooManyConnections: "서버에 연결이 너무 많아요. 몇 초 후에 다시 해 주세요."
        case .tooManyLiveConnections(let limit):
            "이미 실시간 연결이 \(limit)개 열려 있어요. 다른 탭이나 기기의 앱을 먼저 닫아 주세요."
        case .resourceMissing(let name): "\(name) 파일이 설치되어 있지 않아요."
        case .testNotificationTitle: "세탁실 알림 테스트"
        case .testNotificationBody: "이 기기로 알림이 잘 와요."
        case .pushNotConfigured:
            "이 서버에는 아직 알림이 설정되지 않았어요. 관리자가 `washboard admin vapid generate`를 실행해야 해요."
        case .liveFrameNotJSON: "JSON 텍스트 프레임을 보내 주세요: {\"type\":…}."
        case .liveAckMalformed: "{\"type\":\"ack\",\"alert\":\"<id>\"} 형식으로 보내 주세요."
        case .liveUnknownType: "알 수 없는 메시지 종류예요. ping이나 ack를 보내 주세요."

        // What `admin push list` shows: the admin CLI stays English.
        case .pushExpiredUnsent, .pushSubscriptionUnknownToService, .pushResidentUnsubscribed, .pushSubscriptionGone,
            .pushKeyReplaced, .pushTopicInvalid, .pushNoAnswer, .pushSubscriptionUnusable:
            english
        }
    }
}

extension InputProblem {
    var korean: String {
        switch self {
        case .machineIdFormat: "영문자, 숫자, 대시로 1~16자를 쓰세요 (예: W3)"
        case .cycleMinutes(let range): "한 번 돌리는 시간은 \(range.lowerBound)~\(range.upperBound)분이에요"
        case .length(let range): "\(range.lowerBound)~\(range.upperBound)자로 써 주세요"
        case .range(let range): "\(range.lowerBound)부터 \(range.upperBound)까지의 정수를 써 주세요"
        case .count(let range): "\(range.lowerBound)~\(range.upperBound)개를 적어 주세요"
        case .reportLength(let range): "문제를 \(range.lowerBound)~\(range.upperBound)자로 적어 주세요"
        case .noticeExpiresBeforePublished: "공지는 게시된 뒤에 끝나야 해요"
        case .timeOfDay: "시각은 HH:MM 형식이어야 해요 (00:00~23:59)"
        case .quietHoursEmpty: "시작과 끝이 달라야 해요"
        case .missing: "값이 없어요"
        case .noSuchMachines: "그곳에는 그 종류의 기기가 없어요"
        case .pushEndpointNotAURL: "엔드포인트가 절대 URL이 아니에요"
        case .pushEndpointScheme(let scheme): "푸시 엔드포인트는 \(scheme)가 아닌 https를 써야 해요"
        case .pushEndpointCredentials: "푸시 엔드포인트에 사용자 이름이나 비밀번호를 넣을 수 없어요"
        case .pushEndpointHost(let host): "\(host)는 알려진 푸시 서비스가 아니에요"
        case .pushAuthSecret: "base64url로 인코딩한 16바이트여야 해요"
        case .pushKeyEncoding: "base64url로 인코딩한 압축하지 않은 P-256 점(65바이트)이어야 해요"
        case .pushKeyNotOnCurve: "P-256 곡선 위의 점이 아니에요"
        }
    }
}

extension RateLimit {
    var korean: String {
        switch self {
        case .pickupRequest(let machineId, let minutes): "최근 \(minutes)분 안에 이미 \(machineId) 요청을 보냈어요."
        case .enrollmentAttempts(let budget):
            "이 네트워크에서 틀린 등록 코드가 너무 많아요 (\(budget.minutes)분에 \(budget.count)번)."
        case .reports(let budget): "신고는 \(budget.minutes)분에 \(budget.count)번까지 보낼 수 있어요."
        case .cancels(let budget): "\(budget.minutes)분 동안 \(budget.count)번 취소했어요. 잠시 기다려 주세요."
        case .pushSubscriptionChanges(let budget):
            "\(budget.minutes)분 동안 알림을 \(budget.count)번 켜고 껐어요. 잠시 기다려 주세요."
        case .testNotifications(let budget):
            "테스트 알림은 \(budget.minutes)분에 \(budget.count)번이면 충분해요. 잠시 기다려 주세요."
        }
    }
}

extension Message.JSONValueKind {
    var korean: String {
        switch self {
        case .string: "문자열"
        case .number: "숫자"
        case .boolean: "true 또는 false"
        case .array: "배열"
        case .object: "객체"
        }
    }
}

extension Machine.Kind {
    var korean: String {
        switch self {
        case .washer: "세탁기"
        case .dryer: "건조기"
        case .other: "기기"
        }
    }
}

extension Machine.State {
    var korean: String {
        switch self {
        case .idle: "비어 있음"
        case .inUse: "사용 중"
        case .broken: "고장"
        }
    }
}

extension Use.CloseReason {
    var korean: String {
        switch self {
        case .collected: "수거 완료"
        case .cancelled: "취소"
        case .autoReleased: "자동 해제"
        case .machineBroken: "기기 고장"
        case .cleared: "관리자 해제"
        }
    }
}

extension Date {
    /// The time on the dorm's wall clock, as Korean readers write it ("오후 6:04"); the date
    /// too when it is not today.
    var koreanTime: String {
        let locale = Locale(identifier: "ko_KR")
        let sameDay = Calendar.current.isDate(self, inSameDayAs: Date())
        return formatted(
            Date.FormatStyle(date: sameDay ? .omitted : .abbreviated, time: .shortened, locale: locale, timeZone: .current))
    }
}
