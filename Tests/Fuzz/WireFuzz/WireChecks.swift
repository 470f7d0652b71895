import DeviceState
import Foundation
import Wire

/// What must hold for any bytes a client sends: one input, checked against the decoder its
/// first byte picks, the rest being the message or the body.
///
/// A broken promise stops the process with `fatalError`, which libFuzzer reports as a crash
/// and saves the input of. Decoders may refuse anything; what they may not do is trap, accept
/// something their type rules out, or refuse it without saying what is wrong.
enum WireChecks {
    /// The decoders, by the first byte of an input: `0` for the live socket's messages, `1`
    /// to `9` for the REST bodies. Any other byte counts from `0` too, modulo their number,
    /// so every input reaches one; the corpus uses the digits, to stay readable.
    static let decoders: [@Sendable (Data) -> Void] = [
        { checkLiveMessage(String(decoding: $0, as: UTF8.self)) },  // 0
        { checkBody(StartUseBody.self, $0) },  // 1
        { checkBody(ProblemReportBody.self, $0) },  // 2
        { checkBody(WaitlistJoinBody.self, $0) },  // 3
        { checkBody(EnrollmentCodeBody.self, $0) },  // 4
        { checkBody(KioskSessionBody.self, $0) },  // 5
        { checkBody(PreferencesPatch.self, $0, accepted: checkPreferences) },  // 6
        { checkBody(PushSubscriptionBody.self, $0) },  // 7
        { checkBody(PushUnsubscribeBody.self, $0) },  // 8
        { checkBody(AlertsReadBody.self, $0) },  // 9
    ]

    static func check(_ input: some Collection<UInt8>) {
        guard let first = input.first else { return }
        let index = ((Int(first) - Int(UInt8(ascii: "0"))) % decoders.count + decoders.count) % decoders.count
        decoders[index](Data(input.dropFirst()))
    }

    /// A `ping` echoes a number JSON can carry back unchanged; an `ack` names an alert id of
    /// 1 to 64 bytes; a refusal has a code and a sentence.
    static func checkLiveMessage(_ text: String) {
        switch LiveClientMessage.parse(text) {
        case .success(.ping(let t?)):
            require(t.isFinite, "a ping's t is not finite: \(t)")
            // What the client reads in the pong is what it sent.
            let echoed = LiveClientMessage.parse(#"{"type":"ping","t":\#(encodeJSON(t))}"#)
            require(echoed == .success(.ping(t: t)), "a ping's t does not survive the pong: \(t) became \(echoed)")
        case .success(.ping(nil)):
            break
        case .success(.ack(let alertId)):
            require(
                LiveClientMessage.alertIdBytes.contains(alertId.utf8.count), "an ack with an id of \(alertId.utf8.count) bytes")
        case .failure(let rejection):
            require(!rejection.code.isEmpty && !rejection.message.text().isEmpty, "a refusal without a code or a sentence")
        }
    }

    /// An accepted body encodes and decodes back to itself; a refused one says which field is
    /// wrong, by a path that names one.
    static func checkBody<Body: Codable & Equatable>(
        _ type: Body.Type, _ data: Data, accepted: (Body) -> Void = { _ in }
    ) {
        let body: Body
        do throws(JSONBody.Rejection) {
            body = try JSONBody.decode(Body.self, from: data)
        } catch {
            switch error {
            case .malformed(let message):
                require(!message.text().isEmpty, "a refusal without a sentence")
                if let path = fieldPath(of: message) {
                    require(
                        path.first.map { $0.isASCII && $0.isLetter } == true,
                        "\(Body.self): a refusal naming the field '\(path)': \(message.text())")
                }
            case .invalid(let error):
                guard case .invalidInput(let field, _) = error, !field.isEmpty else {
                    fatalError("\(Body.self): refused with \(error), not an invalid field")
                }
            }
            return
        }
        accepted(body)
        let encoded = encodeJSON(body)
        do throws(JSONBody.Rejection) {
            let again = try JSONBody.decode(Body.self, from: Data(encoded.utf8))
            require(again == body, "\(Body.self): \(body) became \(again) through \(encoded)")
        } catch {
            fatalError("\(Body.self): \(body) encoded as \(encoded), which is refused: \(error)")
        }
    }

    /// Quiet hours that were accepted are two different times of day, each `HH:MM`.
    static func checkPreferences(_ patch: PreferencesPatch) {
        guard case .some(.some(let quietHours)) = patch.quietHours else { return }
        let start = minutes(ofTime: quietHours.start)
        let end = minutes(ofTime: quietHours.end)
        require(start != nil && end != nil, "quiet hours accepted that are not HH:MM: \(quietHours)")
        require(start != end, "quiet hours accepted that start when they end: \(quietHours)")
    }

    /// `HH:MM` in ASCII digits, read independently of `QuietHours`.
    private static func minutes(ofTime time: String) -> Int? {
        let bytes = Array(time.utf8)
        let digits = [0, 1, 3, 4].map { Int(bytes.count == 5 ? bytes[$0] : 0) - Int(UInt8(ascii: "0")) }
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"), digits.allSatisfy({ (0...9).contains($0) }) else {
            return nil
        }
        let (hours, minutes) = (digits[0] * 10 + digits[1], digits[2] * 10 + digits[3])
        return hours < 24 && minutes < 60 ? hours * 60 + minutes : nil
    }

    /// The JSON path a refusal names, when it names one.
    private static func fieldPath(of message: Message) -> String? {
        switch message {
        case .missingField(let path), .fieldType(let path, _), .fieldNull(let path, _), .fieldValueNotAllowed(let path):
            path
        default:
            nil
        }
    }

    private static func encodeJSON(_ value: some Encodable) -> String {
        do {
            return String(decoding: try DomainJSON.encoder().encode(value), as: UTF8.self)
        } catch {
            fatalError("\(value) does not encode: \(error)")
        }
    }

    private static func require(_ condition: Bool, _ failure: @autoclosure () -> String) {
        if !condition { fatalError(failure()) }
    }
}
