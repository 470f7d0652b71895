import DeviceState
import Foundation

/// What a kiosk may not see: who uses or holds a machine. Every `residentId` is taken out
/// of a board, a machine or a live frame before it goes to a kiosk.
enum KioskRedaction {
    static func data(_ json: Data) -> Data {
        guard let value = try? JSONSerialization.jsonObject(with: json),
            let redacted = try? JSONSerialization.data(
                withJSONObject: strip(value), options: [.sortedKeys, .withoutEscapingSlashes])
        else { return Data("{}".utf8) }
        return redacted
    }

    static func text(_ json: String) -> String {
        String(decoding: data(Data(json.utf8)), as: UTF8.self)
    }

    private static func strip(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var stripped: [String: Any] = [:]
            for (key, member) in object where key != "residentId" { stripped[key] = strip(member) }
            return stripped
        case let array as [Any]:
            return array.map(strip)
        default:
            return value
        }
    }
}
