import Foundation
import Logging
import ServiceLifecycle

/// Runs the ``Reconciler``'s pass inside `washboard serve`, every ``interval``; the pruning
/// step only every ``pruneInterval``, since little accrues in 15 s.
struct ReconcilerService: Service {
    let reconciler: Reconciler
    var interval: Duration = .seconds(15)
    var pruneInterval: Duration = .seconds(600)
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPrune: ContinuousClock.Instant?
            while !Task.isCancelled {
                let pruning = lastPrune.map { ContinuousClock.now - $0 >= pruneInterval } ?? true
                do {
                    let report = try await reconciler.pass(at: Date(), pruning: pruning)
                    if pruning { lastPrune = .now }
                    if !report.isEmpty { logger.info("reconciled", metadata: ["pass": "\(report.text)"]) }
                } catch {
                    logger.error("reconciler pass failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
