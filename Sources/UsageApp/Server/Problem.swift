import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// An RFC 9457 problem document: what went wrong, for the person and for the program.
///
/// `type` is a relative URI naming the problem (`/problems/machine-busy`); `code` carries
/// the same name for clients that prefer a plain string. Extra members add what the
/// client needs to recover, e.g. the machine as it is now.
struct Problem: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    /// For the person: a sentence of the catalogue, rendered in the reader's language
    /// (``localized(_:)``), or words that are not ours.
    var detail: Detail
    var headers: HTTPFields = [:]
    var machine: MachineStatus?
    var use: Use?

    init(
        status: HTTPResponse.Status, code: String, detail: Message, headers: HTTPFields = [:], machine: MachineStatus? = nil,
        use: Use? = nil
    ) {
        self.init(status: status, code: code, detail: .message(detail), headers: headers, machine: machine, use: use)
    }

    enum Detail {
        case message(Message)
        case text(String)
    }

    /// A problem whose detail is not ours: the framework's own words for an `HTTPError`.
    init(
        status: HTTPResponse.Status, code: String, detail: String, headers: HTTPFields = [:], machine: MachineStatus? = nil,
        use: Use? = nil
    ) {
        self.init(status: status, code: code, detail: .text(detail), headers: headers, machine: machine, use: use)
    }

    private init(
        status: HTTPResponse.Status, code: String, detail: Detail, headers: HTTPFields, machine: MachineStatus?, use: Use?
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.machine = machine
        self.use = use
    }

    /// The problem with its detail in `language`.
    func localized(_ language: Language) -> Problem {
        guard case .message(let message) = detail else { return self }
        var problem = self
        problem.detail = .text(message.text(in: language))
        return problem
    }

    /// The detail as sent: in English unless ``localized(_:)`` chose the reader's language.
    var detailText: String {
        switch detail {
        case .message(let message): message.text(in: .english)
        case .text(let text): text
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: responseHeaders, body: ResponseBody(byteBuffer: try body(instance: request.uri.path)))
    }

    var responseHeaders: HTTPFields {
        var headers = headers
        headers[.contentType] = "application/problem+json"
        return headers
    }

    /// The problem document, for the request at `instance`.
    func body(instance: String) throws -> ByteBuffer {
        let document = Document(
            type: "/problems/\(code.replacingOccurrences(of: "_", with: "-"))", title: status.reasonPhrase,
            status: status.code, detail: detailText, code: code, instance: String(instance.prefix(200)),
            machine: machine, use: use)
        return ByteBuffer(data: try DomainJSON.encoder().encode(document))
    }

    private struct Document: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var instance: String
        var machine: MachineStatus?
        var use: Use?
    }
}

extension Problem {
    static func unauthenticated(_ detail: Message) -> Problem {
        Problem(status: .unauthorized, code: "unauthenticated", detail: detail, headers: [.wwwAuthenticate: "Bearer"])
    }

    static func badRequest(_ detail: Message) -> Problem {
        Problem(status: .badRequest, code: "bad_request", detail: detail)
    }
}

/// Turns every error into a problem document, so that clients only ever parse one error shape.
///
/// Errors of the domain and the framework keep their status; a database that cannot take
/// the write now (locked, full, read-only) is a 503 with `Retry-After`; anything else is a
/// 500 whose detail says nothing about the server's insides (the log has the error).
///
/// The detail is in the request's language (``Language/of(_:)``), else the dorm's default.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    var defaultLanguage: Language

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            return try Problem.answering(error, to: request, logger: context.logger)
                .localized(Language.of(request) ?? defaultLanguage)
                .response(from: request, context: context)
        }
    }
}

extension Problem {
    /// What a request that failed with `error` is answered: the problem it threw, a domain
    /// error's, 503 while the database cannot take it, and 500 for the rest (logged, its
    /// text kept out of the answer). The REST routes and the live board's admission share it.
    static func answering(_ error: any Error, to request: Request, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as DeviceStateError:
            return Problem(error)
        case is NIOTooManyBytesError:
            return Problem(status: .contentTooLarge, code: "body_too_large", detail: .bodyTooLarge)
        case let error as HTTPError:
            let code = error.status.reasonPhrase.problemCode
            guard error.status != .notFound else {
                return Problem(
                    status: error.status, code: code,
                    detail: .noSuchResource(method: "\(request.method)", path: String(request.uri.path.prefix(100))),
                    headers: error.headers)
            }
            return Problem(
                status: error.status, code: code, detail: error.body ?? error.status.reasonPhrase, headers: error.headers)
        default:
            guard let unavailable = StoreUnavailable(error) else {
                logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                return Problem(status: .internalServerError, code: "internal_error", detail: .internalError)
            }
            // Nothing was stored: the client may send the same request again, and is told when.
            logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(
                status: .serviceUnavailable, code: unavailable == .busy ? "database_busy" : "database_not_writable",
                detail: unavailable == .busy ? .databaseBusy : .databaseNotWritable,
                headers: [.retryAfter: String(unavailable.retryAfterSeconds)])
        }
    }
}

extension Language {
    /// The language a request asks for: its `lang` query parameter (a WebSocket cannot set
    /// headers), else its `Accept-Language`. The app sends the resident's choice in both.
    static func of(_ request: Request) -> Language? {
        if let lang = request.uri.queryParameters.get("lang"), let language = Language(accepting: lang) {
            return language
        }
        return request.headers[.acceptLanguage].flatMap { Language(accepting: $0) }
    }

    /// What to write a signed-in resident's answer in: what the request asks for (the app
    /// sends its own choice), else the resident's choice, else the dorm's. Preferences are
    /// read only when the request names no language.
    static func forRequest(
        _ request: Request, resident residentId: String, store: any ResidentStore, dormDefault: Language
    ) async throws -> Language {
        if let asked = of(request) { return asked }
        let chosen = try await store.preferences(of: residentId).language
        return forResident(chosen: chosen, device: nil, dormDefault: dormDefault)
    }
}

extension String {
    /// "Not Found" → "not_found".
    fileprivate var problemCode: String {
        lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}
