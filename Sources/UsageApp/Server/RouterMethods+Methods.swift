import DeviceState
import HTTPTypes
import Hummingbird

extension RouterMethods {
    typealias Handler = @Sendable (Request, Context) async throws -> Response

    /// Registers the handlers of one path, and answers every other method with
    /// 405 and an `Allow` header instead of the router's 404.
    @discardableResult
    func on(_ path: RouterPath, methods handlers: [HTTPRequest.Method: Handler]) -> Self {
        for (method, handler) in handlers {
            on(path, method: method, use: handler)
        }
        var allowed = handlers.keys.map(\.rawValue)
        if handlers[.get] != nil { allowed.append("HEAD") }
        let allow = allowed.sorted().joined(separator: ", ")
        for method in Self.otherMethods where handlers[method] == nil {
            on(path, method: method) { request, _ -> Response in
                throw Problem(
                    status: .methodNotAllowed, code: "method_not_allowed",
                    detail: .methodNotAllowed(method: "\(request.method)", allowed: allow), headers: [.allow: allow])
            }
        }
        return self
    }

    /// The methods answered 405 where a path does not serve them: the ones of RFC 9110 and
    /// RFC 5789, and QUERY (an IETF draft that clients such as schemathesis already send).
    private static var otherMethods: [HTTPRequest.Method] {
        [.get, .post, .put, .patch, .delete, .options, .trace, .connect, HTTPRequest.Method("QUERY")!]
    }
}
