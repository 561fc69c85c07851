import Foundation
import LeptonPlatform
import Testing

@Suite("KeyService")
struct KeyServiceTests {
    @Test("a created key authenticates with its role and workspace; only its hash is stored")
    func createAndAuthenticate() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("keys")
        let workspace = admin.key.workspaceID
        let viewer = try await platform.keys.create(workspaceID: workspace, role: .viewer, name: "ci")
        let who = try await platform.keys.authenticate(token: viewer.token)
        #expect(who == Principal(keyID: viewer.key.id, workspaceID: workspace, role: .viewer))
        let secret = String(viewer.token.split(separator: "_")[2])
        #expect(secret.count == 64)  // 256 bits
        let stored = try #require(try await platform.store.key(id: viewer.key.id))
        #expect(stored.secretHash == KeySecret.hash(secret) && stored.secretHash != secret)
        #expect(stored.lastUsed != nil)
        // The secret appears nowhere in the database file.
        for file in PlatformFixtures.files(under: platform.dataFolder) {
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self)
            #expect(!text.contains(secret), "\(file.lastPathComponent) holds the secret")
        }
    }

    @Test("wrong, malformed, unknown, expired and revoked keys are refused as unauthenticated")
    func refusals() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("keys-refused")
        let workspace = admin.key.workspaceID
        let parts = admin.token.split(separator: "_")
        let wrongSecret = "lep_\(parts[1])_\(String(repeating: "a", count: 64))"
        let unknownID = "lep_\(String(repeating: "b", count: 16))_\(parts[2])"
        let expired = try await platform.keys.create(workspaceID: workspace, role: .editor, name: "old", expiresIn: 60,
                                                     now: Date().addingTimeInterval(-3600))
        let revoked = try await platform.keys.create(workspaceID: workspace, role: .editor, name: "gone")
        _ = try await platform.keys.revoke(id: revoked.key.id, workspaceID: workspace)
        for token in [wrongSecret, unknownID, "lep_short", "", expired.token, revoked.token] {
            let error = await #expect(throws: PlatformError.self) { try await platform.keys.authenticate(token: token) }
            #expect(error?.kind == .unauthenticated, "\(token)")
        }
        #expect(try await platform.keys.authenticate(token: admin.token).role == .admin)
    }

    @Test("revoking needs the key's own workspace; bad roles and lifetimes are refused")
    func workspaceScope() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("keys-scope")
        let other = try await platform.createWorkspace(name: "other", source: "test")
        let error = await #expect(throws: PlatformError.self) {
            try await platform.keys.revoke(id: admin.key.id, workspaceID: other.key.workspaceID)
        }
        #expect(error?.kind == .notFound)
        #expect(try await platform.keys.authenticate(token: admin.token).workspaceID == admin.key.workspaceID)
        #expect(throws: PlatformError.self) { try Role.parse("owner") }
        await #expect(throws: PlatformError.self) {
            try await platform.keys.create(workspaceID: admin.key.workspaceID, role: .viewer, name: "x", expiresIn: -5)
        }
    }

    @Test("constant-time comparison agrees with ==")
    func constantTime() {
        #expect(KeySecret.constantTimeEqual("abc", "abc"))
        #expect(!KeySecret.constantTimeEqual("abc", "abd"))
        #expect(!KeySecret.constantTimeEqual("abc", "abcd"))
    }
}
