import Foundation
import Logging
import ServiceLifecycle

/// Runs the ``Reconciler``'s pass inside `washboard serve`, every ``interval``.
struct ReconcilerService: Service {
    let reconciler: Reconciler
    var interval: Duration = .seconds(15)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await reconciler.pass(at: Date())
                    if !report.isEmpty { logger.info("reconciled", metadata: ["pass": "\(report.text)"]) }
                } catch {
                    logger.error("reconciler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
