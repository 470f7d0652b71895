extension DeviceStore {
    /// Reads every event after `seq` in batches of `batchSize`, oldest first, handing each batch
    /// to `body`; returns the seq of the last event read (`seq` itself when there was none).
    ///
    /// Events committed while it reads are read too: it stops at the first short batch.
    public func readEvents(
        after seq: Int64, batchSize: Int = 500, _ body: ([Event]) async throws -> Void
    ) async throws -> Int64 {
        var cursor = seq
        while true {
            let events = try await events(after: cursor, limit: batchSize)
            guard let last = events.last else { return cursor }
            try await body(events)
            cursor = last.seq
            if events.count < batchSize { return cursor }
        }
    }
}
