import DeviceState
import Foundation
import HTTPTypes
import Hummingbird

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
        do {
            return try DomainJSON.decoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Problem.badRequest(error.explanation)
        } catch let error as DeviceStateError {
            // Validation inside a Decodable init (e.g. quiet hours) keeps its own status.
            throw error
        } catch {
            throw Problem.badRequest(.bodyNotJSON)
        }
    }
}

extension DecodingError {
    /// "missing field 'code'", "'minutes' must be a number", …: the field by its JSON path.
    var explanation: Message {
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
        }
        switch self {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return .missingField(path: parent.isEmpty ? key.stringValue : parent + "." + key.stringValue)
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .bodyNotJSONObject }
            return .fieldType(path: path(context.codingPath), expected: Self.kind(of: type))
        case .valueNotFound(let type, let context):
            return .fieldNull(path: path(context.codingPath), expected: Self.kind(of: type))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .bodyNotJSON }
            return .fieldValueNotAllowed(path: path(context.codingPath))
        @unknown default:
            return .bodyNotJSON
        }
    }

    private static func kind(of type: Any.Type) -> Message.JSONValueKind {
        switch type {
        case is String.Type: .string
        case is Int.Type, is Double.Type: .number
        case is Bool.Type: .boolean
        case is [Any].Type: .array
        default: .object
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
