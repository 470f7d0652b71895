import Foundation
import NIOCore
import NIOPosix

/// The server's event loops: one per core the process may run on.
///
/// NIO's own count (`System.coreCount`) reads the cgroup's CPU set, not the affinity mask,
/// so a server started with `taskset -c 0` would get two loops taking turns on one core,
/// each fan-out paying for the switches between them.
enum ServerEventLoops {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: allowedCores)

    static var allowedCores: Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return System.coreCount }
        // "0", "0-3", "0,2-3"
        let count = line.dropFirst("Cpus_allowed_list:".count).split(separator: ",").reduce(0) { total, range in
            let bounds = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return total + (bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1)
        }
        return max(1, min(count, System.coreCount))
    }
}
