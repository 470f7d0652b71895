import Foundation

extension Machine {
    /// The board's order: location first, then id with digit runs compared as numbers, so W2 comes before W10.
    public static func isShownBefore(_ a: Machine, _ b: Machine) -> Bool {
        if a.location != b.location { return a.location < b.location }
        return a.id.compare(b.id, options: [.numeric, .caseInsensitive]) == .orderedAscending
    }
}
