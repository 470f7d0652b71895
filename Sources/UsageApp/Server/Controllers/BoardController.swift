import Crypto
import DeviceState
import Foundation
import Hummingbird

/// The board and single machines: `GET /api/board`, `GET /api/machines/{id}`.
struct BoardController {
    let store: any DeviceStore
    let auth: Authenticator
    let cache: BoardCache<EncodedBoard>

    /// The board as sent: the JSON body and its entity tag.
    struct EncodedBoard: Sendable {
        var seq: Int64
        var body: ByteBuffer
        var etag: String
        /// The `board` frame of the live protocol: the same JSON with `"type":"board"` in front.
        var frame: String
    }

    /// A board cache that reads through `store` and is invalidated by its commits.
    static func makeCache(store: any DeviceStore, ttl: Duration) -> BoardCache<EncodedBoard> {
        let cache = BoardCache<EncodedBoard>(ttl: ttl) {
            let board = try await store.board(at: .currentSecond)
            let json = try DomainJSON.encoder().encode(board)
            // The seq alone is not enough: a scheduled notice appears with time, not with a commit.
            let digest = Secrets.hex(SHA256.hash(data: json).prefix(8))
            let frame = LiveFrame.splice(type: "board", seq: board.seq, into: String(decoding: json, as: UTF8.self))
            return (
                board.seq,
                EncodedBoard(seq: board.seq, body: ByteBuffer(data: json), etag: "\"\(board.seq)-\(digest)\"", frame: frame)
            )
        }
        store.commits.observe { cache.invalidate(headSeq: $0) }
        return cache
    }

    func addRoutes(to router: some RouterMethods<BasicRequestContext>) {
        router.on("/api/board", methods: [.get: board])
        router.on("/api/machines/:id", methods: [.get: machine])
    }

    @Sendable func board(_ request: Request, context: BasicRequestContext) async throws -> Response {
        _ = try await auth.session(of: request)
        let board = try await cache.value()
        var headers: HTTPFields = [.eTag: board.etag, .cacheControl: "no-cache"]
        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, board.etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: board.body))
    }

    /// RFC 9110 §13.1.2: `If-None-Match` compares weakly, so a proxy that weakened the tag still gets 304.
    static func matches(_ ifNoneMatch: String, _ etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            let candidate = candidate.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == etag || candidate == "W/" + etag
        }
    }

    @Sendable func machine(_ request: Request, context: BasicRequestContext) async throws -> Response {
        _ = try await auth.session(of: request)
        return try Response.json(try await store.machine(try context.parameters.require("id")))
    }
}
