import DeviceState
import Foundation
import HTTPTypes
import Hummingbird
import Wire

extension Request {
    /// The largest JSON body any endpoint accepts; larger bodies get 413 before they are read whole.
    static let maxJSONBodyBytes = 16 * 1024

    /// Decodes the JSON body, answering every way it can be wrong with a 400 that says where.
    ///
    /// - Parameter emptyBody: the value of a missing or empty body, for endpoints whose body is optional.
    func decodeJSON<T: Decodable>(as type: T.Type, emptyBody: T? = nil) async throws -> T {
        // A missing Content-Type is read as JSON: curl users forget it, browsers never do.
        if let contentType = headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() != "application/json"
        {
            throw Problem(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                detail: .bodyNotJSONMediaType)
        }
        let buffer = try await body.collect(upTo: Self.maxJSONBodyBytes)
        if buffer.readableBytes == 0, let emptyBody { return emptyBody }
        do throws(JSONBody.Rejection) {
            return try JSONBody.decode(T.self, from: Data(buffer: buffer))
        } catch {
            switch error {
            case .malformed(let explanation): throw Problem.badRequest(explanation)
            // Validation inside a Decodable init (e.g. quiet hours) keeps its own status.
            case .invalid(let error): throw error
            }
        }
    }
}

extension Response {
    /// A JSON response in the domain's encoding.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(data: try DomainJSON.encoder().encode(value))))
    }
}
