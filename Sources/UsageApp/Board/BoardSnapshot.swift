import Crypto
import DeviceState
import Foundation
import NIOCore

/// The board as the server sends it, encoded once: the body of `GET /api/board` with its
/// entity tag, and the `board` frame of the live protocol. `BoardController` serves it,
/// the live board opens connections with it.
struct BoardSnapshot: Sendable {
    var seq: Int64
    var body: ByteBuffer
    var etag: String
    /// The same JSON with `"type":"board"` in front.
    var frame: String
    /// The board as a kiosk gets it, without who uses or holds a machine (``KioskRedaction``).
    var kiosk: Encoded

    struct Encoded: Sendable {
        var body: ByteBuffer
        var etag: String
        var frame: String

        init(body: ByteBuffer, etag: String, frame: String) {
            self.body = body
            self.etag = etag
            self.frame = frame
        }

        init(_ json: Data, seq: Int64) {
            // The seq alone is not enough: a scheduled notice appears with time, not with a commit.
            body = ByteBuffer(data: json)
            etag = "\"\(seq)-\(Secrets.hex(SHA256.hash(data: json).prefix(8)))\""
            frame = FrameText.splice(type: "board", seq: seq, into: String(decoding: json, as: UTF8.self))
        }
    }

    init(_ board: Board) throws {
        let json = try DomainJSON.encoder().encode(board)
        let encoded = Encoded(json, seq: board.seq)
        seq = board.seq
        body = encoded.body
        etag = encoded.etag
        frame = encoded.frame
        kiosk = Encoded(KioskRedaction.data(json), seq: board.seq)
    }

    /// The encoding for `viewer`.
    func encoded(for kiosk: Kiosk?) -> Encoded {
        kiosk == nil ? Encoded(body: body, etag: etag, frame: frame) : self.kiosk
    }

    /// A board cache that reads through `store` and is invalidated by its commits.
    static func cache(store: any MachineStore & EventLog, ttl: Duration) -> BoardCache<BoardSnapshot> {
        let cache = BoardCache<BoardSnapshot>(ttl: ttl) {
            let snapshot = try BoardSnapshot(try await store.board(at: .currentSecond))
            return (snapshot.seq, snapshot)
        }
        store.commits.observe { cache.invalidate(headSeq: $0) }
        return cache
    }
}
