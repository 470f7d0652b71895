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

    init(_ board: Board) throws {
        let json = try DomainJSON.encoder().encode(board)
        // The seq alone is not enough: a scheduled notice appears with time, not with a commit.
        let digest = Secrets.hex(SHA256.hash(data: json).prefix(8))
        seq = board.seq
        body = ByteBuffer(data: json)
        etag = "\"\(board.seq)-\(digest)\""
        frame = FrameText.splice(type: "board", seq: board.seq, into: String(decoding: json, as: UTF8.self))
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
