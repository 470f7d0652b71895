import Foundation

/// A process's CPU time and resident memory, from /proc.
struct Proc {
    let pid: Int32

    static var current: Proc { Proc(pid: getpid()) }

    static func cpuSeconds(_ pids: [Int32]) throws -> Double { try pids.reduce(0) { try $0 + Proc(pid: $1).cpuSeconds } }
    static func residentBytes(_ pids: [Int32]) throws -> Int { try pids.reduce(0) { try $0 + Proc(pid: $1).residentBytes } }

    /// The fields after the command name: the state first.
    private var statFields: [Substring] {
        get throws {
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            return stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        }
    }

    var cpuSeconds: Double {
        get throws {
            let fields = try statFields
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
            return (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }

    var residentBytes: Int {
        get throws {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
        }
    }

    /// Gone, or a zombie waiting for its parent.
    var hasExited: Bool {
        guard let fields = try? statFields else { return true }
        return fields.first == "Z" || fields.first == "X"
    }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let value = sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
    return rounded(value)
}

func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
