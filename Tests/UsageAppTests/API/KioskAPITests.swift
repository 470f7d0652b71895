import DeviceState
import Foundation
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSClient
import NIOCore
import Testing

@testable import UsageApp

@Suite("A kiosk: the board read-only, without residents", .timeLimit(.minutes(2)))
struct KioskAPITests {
    @Test("a kiosk token reads the board and machines with no resident id, and every write and private read is 403")
    func readOnly() async throws {
        let dorm = try await TestDorm()
        let (adaId, ada) = try await dorm.resident()
        let (kiosk, token) = try await dorm.store.addKiosk(name: "Basement screen", location: "Hall A", at: .currentSecond)
        try await dorm.store.setSetting(.waitlistHoldMinutes, to: "5")
        try await dorm.withServer { client in
            let use = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(ada)).decode(Use.self)

            let board = try await client.execute(uri: "/api/board", method: .get, headers: .bearer(token))
            #expect(board.status == .ok)
            let body = String(buffer: board.body)
            #expect(body.contains(use.id) && body.contains(#""summary""#))
            #expect(!body.contains("residentId") && !body.contains(adaId), "no resident reaches a kiosk")
            let machine = try await client.execute(uri: "/api/machines/W1", method: .get, headers: .bearer(token))
            #expect(machine.status == .ok && !String(buffer: machine.body).contains(adaId))
            let me = try await client.execute(uri: "/api/kiosk", method: .get, headers: .bearer(token))
            #expect(try me.decode(Kiosk.self) == kiosk)

            let attempts: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/api/machines/W2/uses", nil), (.post, "/api/uses/\(use.id)/collect", nil),
                (.post, "/api/uses/\(use.id)/cancel", nil), (.post, "/api/machines/W1/pickup-requests", nil),
                (.post, "/api/machines/W1/reports", #"{"text":"broken"}"#), (.post, "/api/waitlist", #"{"kind":"washer"}"#),
                (.get, "/api/waitlist", nil), (.delete, "/api/waitlist/x", nil), (.get, "/api/me", nil),
                (.patch, "/api/me/preferences", #"{"mutedAlertKinds":[]}"#),
                (.post, "/api/push/subscriptions", #"{"endpoint":"https://fcm.googleapis.com/x","keys":{}}"#),
                (.delete, "/api/push/subscriptions", #"{"endpoint":"https://fcm.googleapis.com/x"}"#),
            ]
            for (method, uri, json) in attempts {
                let response = try await client.execute(
                    uri: uri, method: method, headers: .json(token), body: json.map { ByteBuffer(json: $0) } ?? ByteBuffer())
                #expect(response.status == .forbidden, "\(method) \(uri)")
                #expect(try response.object["code"] as? String == "kiosk_read_only", "\(method) \(uri)")
            }
            #expect(try await dorm.store.machine("W2").use == nil)
            #expect(try await dorm.store.machine("W1").use?.id == use.id)

            // The page trades its link's token for the cookie; a resident token is not a kiosk's.
            let signIn = try await client.execute(
                uri: "/api/kiosk/session", method: .post, headers: .json(nil), body: ByteBuffer(json: #"{"token":"\#(token)"}"#))
            #expect(signIn.status == .created && signIn.headers[.setCookie]?.contains("wb_session=\(token)") == true)
            let wrong = try await client.execute(
                uri: "/api/kiosk/session", method: .post, headers: .json(nil), body: ByteBuffer(json: #"{"token":"\#(ada)"}"#))
            #expect(wrong.status == .unauthorized)
            #expect(try await client.execute(uri: "/api/kiosk", method: .get, headers: .bearer(ada)).status == .forbidden)
        }
    }

    @Test("a kiosk's live board: hello names the kiosk, frames carry no resident, revocation closes it with 4001")
    func live() async throws {
        let dorm = try await TestDorm()
        let (adaId, ada) = try await dorm.resident()
        let (kiosk, token) = try await dorm.store.addKiosk(name: "Screen", location: nil, at: .currentSecond)
        try await dorm.withServer { client in
            let port = try #require(client.port)
            let close = try await dorm.live(port: port, token: token) { inbound, _ in
                var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                guard case .text(let hello) = try await messages.next() else { throw CancellationError() }
                #expect(hello.contains(#""kiosk""#) && hello.contains(kiosk.id) && !hello.contains(#""resident""#))
                guard case .text(let board) = try await messages.next() else { throw CancellationError() }
                #expect(board.contains(#""type":"board""#))
                let use = try await client.execute(uri: "/api/machines/W1/uses", method: .post, headers: .json(ada)).decode(
                    Use.self)
                guard case .text(let frame) = try await messages.next() else { throw CancellationError() }
                #expect(frame.contains(use.id) && !frame.contains(adaId) && !frame.contains("residentId"))
                _ = try await dorm.store.revokeKiosk(kiosk.id, at: .currentSecond)
                while try await messages.next() != nil {}
            }
            #expect(close?.closeCode == .unknown(4001))
        }
    }
}
