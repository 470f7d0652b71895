import Crypto
import DeviceState
import Foundation
import NIOCore

/// The board as the server sends it, encoded once: the body of `GET /api/board` with its
/// entity tag, and the `board` frame of the live protocol. `BoardController` serves it,
/// the live board opens connections with it.
struct BoardSnapshot: Sendable {
    var seq: Int64
    /// What residents get.
    var resident: Encoded
    /// What a kiosk gets: the board without who uses or holds a machine (``KioskRedaction``).
    var kiosk: Encoded

    /// One encoding: the body of `GET /api/board`, its entity tag, and the `board` frame
    /// (the same JSON with `"type":"board"` in front).
    struct Encoded: Sendable {
        var body: ByteBuffer
        var etag: String
        var frame: WireText

        init(_ json: Data, seq: Int64) {
            // The seq alone is not enough: a scheduled notice appears with time, not with a commit.
            body = ByteBuffer(data: json)
            etag = "\"\(seq)-\(Secrets.hex(SHA256.hash(data: json).prefix(8)))\""
            frame = WireText(FrameText.splice(type: "board", seq: seq, into: String(decoding: json, as: UTF8.self)))
        }
    }

    init(_ board: Board) throws {
        let json = try DomainJSON.encoder().encode(board)
        seq = board.seq
        resident = Encoded(json, seq: board.seq)
        kiosk = Encoded(KioskRedaction.data(json), seq: board.seq)
    }

    func encoded(forKiosk isKiosk: Bool) -> Encoded { isKiosk ? kiosk : resident }

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
