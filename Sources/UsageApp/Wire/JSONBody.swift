import DeviceState
import Foundation

/// Reading a REST request body: the bytes to a body type, or what is wrong with them.
///
/// The HTTP side (media type, size limit, status codes) stays in the server; this is the part
/// that sees only bytes, so that it can be fuzzed on its own (`Tests/Fuzz`).
public enum JSONBody {
    /// Why a body was not taken.
    public enum Rejection: Error, Sendable, Equatable {
        /// Not JSON, not an object, or a field missing or of the wrong type: the sentence says
        /// which field (a 400).
        case malformed(Message)
        /// Well-formed, but a value that a body type checks while it decodes is not allowed
        /// (e.g. quiet hours that are not `HH:MM`); the domain's error keeps its own status.
        case invalid(DeviceStateError)
    }

    /// Decodes `data` as `T` in the domain's JSON (``DomainJSON``).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(Rejection) -> T {
        do {
            return try DomainJSON.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(error.explanation)
        } catch let error as DeviceStateError {
            throw .invalid(error)
        } catch {
            throw .malformed(.bodyNotJSON)
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
            // A body of just `null` is no field of the body (found by Tests/Fuzz).
            if context.codingPath.isEmpty { return .bodyNotJSONObject }
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
