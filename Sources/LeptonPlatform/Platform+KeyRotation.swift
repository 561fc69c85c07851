import Foundation

extension Platform {
    /// Rotates the master key: adds a new one, re-wraps every dataset's and model's data key with
    /// it in one transaction, then deletes the old master keys. Encrypted files are not touched.
    /// - Returns: the new master key's id and how many data keys were re-wrapped.
    public func rotateMasterKey() async throws -> (masterKeyID: String, keys: Int) {
        let keyring = datasets.keyring
        let old = keyring.ids
        let owners: [(WrappedKeyUpdate.Owner, String, String, String)] =
            try await store.allDatasets().map { (.dataset, $0.id, $0.wrappedKey, $0.masterKeyID) }
            + store.models(workspaceID: nil).map { (.model, $0.id, $0.wrappedKey, $0.masterKeyID) }
        let unwrapped = try owners.map { ($0.0, $0.1, try keyring.unwrap(id: $0.1, wrapped: $0.2, masterKeyID: $0.3)) }
        let newID = try keyring.addKey()
        let updates = try unwrapped.map { owner, id, key in
            let wrapped = try keyring.wrap(key, ownerID: id)
            return WrappedKeyUpdate(owner: owner, id: id, wrappedKey: wrapped.wrapped, masterKeyID: wrapped.masterKeyID)
        }
        try await store.rewrapKeys(updates)
        for id in old { try keyring.removeKey(id) }
        return (newID, updates.count)
    }
}
