import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem document: what went wrong, for the person and for the program.
///
/// `type` is a relative URI naming the problem (`/problems/machine-busy`); `code` carries
/// the same name for clients that prefer a plain string. Extra members add what the
/// client needs to recover, e.g. the machine as it is now.
struct Problem: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    /// For the person: a sentence of the catalogue, in English until requests carry a language.
    var detail: String
    var headers: HTTPFields = [:]
    var machine: MachineStatus?
    var use: Use?

    init(
        status: HTTPResponse.Status, code: String, detail: Message, headers: HTTPFields = [:], machine: MachineStatus? = nil,
        use: Use? = nil
    ) {
        self.init(status: status, code: code, detail: detail.text(), headers: headers, machine: machine, use: use)
    }

    /// A problem whose detail is not ours: the framework's own words for an `HTTPError`.
    init(
        status: HTTPResponse.Status, code: String, detail: String, headers: HTTPFields = [:], machine: MachineStatus? = nil,
        use: Use? = nil
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.machine = machine
        self.use = use
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
            status: status.code, detail: detail, code: code, instance: String(instance.prefix(200)),
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
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as Problem {
            return try error.response(from: request, context: context)
        } catch let error as DeviceStateError {
            return try error.response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try Problem(status: .contentTooLarge, code: "body_too_large", detail: .bodyTooLarge)
                .response(from: request, context: context)
        } catch let error as HTTPError {
            let detail =
                switch error.status {
                case .notFound:
                    Message.noSuchResource(method: "\(request.method)", path: String(request.uri.path.prefix(100))).text()
                default: error.body ?? error.status.reasonPhrase
                }
            return try Problem(
                status: error.status, code: error.status.reasonPhrase.problemCode, detail: detail, headers: error.headers
            )
            .response(from: request, context: context)
        } catch {
            guard let unavailable = StoreUnavailable(error) else {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                return try Problem(status: .internalServerError, code: "internal_error", detail: .internalError)
                    .response(from: request, context: context)
            }
            // Nothing was stored: the client may send the same request again, and is told when.
            context.logger.warning("database unavailable", metadata: ["error": "\(String(reflecting: error))"])
            return try Problem(
                status: .serviceUnavailable, code: unavailable == .busy ? "database_busy" : "database_not_writable",
                detail: unavailable == .busy ? .databaseBusy : .databaseNotWritable,
                headers: [.retryAfter: String(unavailable.retryAfterSeconds)]
            )
            .response(from: request, context: context)
        }
    }
}

extension String {
    /// "Not Found" → "not_found".
    fileprivate var problemCode: String {
        lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}
