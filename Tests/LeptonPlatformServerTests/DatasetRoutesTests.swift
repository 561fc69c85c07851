import Foundation
import LeptonPlatform
import LeptonTestSupport
import Testing

@Suite("Dataset routes", .serialized)
struct DatasetRoutesTests {
    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) } }

    @Test("create, upload (streamed), list, download with its SHA-256, preview, delete")
    func roundTrip() async throws {
        let server = try await PlatformTestServer.start("datasets")
        let token = server.admin.token
        let created = try await server.send("POST", "/api/v1/datasets", token: token, json: #"{"name": "digits"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"] as? String)
        let payload = Self.bytes(2_500_000)
        let uploaded = try await server.send("POST", "/api/v1/datasets/\(id)/versions", token: token, body: Data(payload))
        #expect(uploaded.status == 201, "\(uploaded.error)")
        #expect(uploaded.json?["number"] as? Int == 1 && uploaded.json?["size"] as? Int == payload.count)
        let csv = try await server.send("POST", "/api/v1/datasets/\(id)/versions", token: token, body: Data("label,pixel\n1,0\n2,255\n".utf8))
        let preview = try #require(csv.json?["preview"] as? [String: Any])
        #expect(preview["format"] as? String == "csv" && preview["rows"] as? Int == 2 && preview["columns"] as? [String] == ["label", "pixel"])
        let shown = try await server.send("GET", "/api/v1/datasets/\(id)", token: token)
        #expect((shown.json?["versions"] as? [[String: Any]])?.count == 2)
        #expect(!String(decoding: shown.body, as: UTF8.self).contains("wrapped"))
        let downloaded = try await server.send("GET", "/api/v1/datasets/\(id)/versions/1", token: token)
        #expect(downloaded.status == 200 && downloaded.body == Data(payload))
        #expect(downloaded.headers["x-content-sha256"] == uploaded.json?["sha256"] as? String)
        let listed = try await server.send("GET", "/api/v1/datasets", token: token)
        #expect((listed.json?["datasets"] as? [[String: Any]])?.map { $0["name"] as? String } == ["digits"])
        #expect(try await server.send("DELETE", "/api/v1/datasets/\(id)", token: token).status == 200)
        #expect(try await server.send("GET", "/api/v1/datasets/\(id)/versions/1", token: token).status == 404)
        await server.stop()
    }

    @Test("a tampered version is refused with an integrity error; bad version numbers are 400")
    func tampered() async throws {
        let server = try await PlatformTestServer.start("datasets-tamper")
        let token = server.admin.token
        let id = try #require(try await server.send("POST", "/api/v1/datasets", token: token, json: #"{"name": "t"}"#).json?["id"] as? String)
        #expect(try await server.send("POST", "/api/v1/datasets/\(id)/versions", token: token, body: Data(Self.bytes(5000))).status == 201)
        let folder = server.platform.dataFolder.appendingPathComponent("datasets").appendingPathComponent(id)
        let blob = try #require(try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).first)
        var bytes = try Data(contentsOf: blob)
        bytes[bytes.count / 2] ^= 0x80
        try bytes.write(to: blob)
        let refused = try await server.send("GET", "/api/v1/datasets/\(id)/versions/1", token: token)
        #expect(refused.status == 500 && refused.error.contains("integrity"), "\(refused.error)")
        #expect(try await server.send("GET", "/api/v1/datasets/\(id)/versions/zero", token: token).status == 400)
        await server.stop()
    }

    @Test("a client that hangs up mid-upload leaves no version and no file; an upload over the limit is 413")
    func interrupted() async throws {
        let server = try await PlatformTestServer.start("datasets-hangup", maxUploadBytes: 100_000)
        let token = server.admin.token
        let id = try #require(try await server.send("POST", "/api/v1/datasets", token: token, json: #"{"name": "h"}"#).json?["id"] as? String)
        let head = "POST /api/v1/datasets/\(id)/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: 90000\r\n\r\n"
        let connection = try LoopbackConnection(port: server.port)
        connection.write(Array(head.utf8) + Self.bytes(30_000))
        connection.close()
        // Give the server a moment to see the connection close and abort the upload.
        var versions: [DatasetVersion] = []
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(40))
            versions = try await server.platform.datasets.versions(id: id, workspaceID: server.admin.key.workspaceID)
            let parts = (try? FileManager.default.contentsOfDirectory(atPath: server.platform.dataFolder.appendingPathComponent("uploads").path)) ?? []
            if parts.isEmpty { break }
        }
        #expect(versions.isEmpty)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: server.platform.dataFolder.appendingPathComponent("uploads").path)) ?? []
        #expect(leftovers.isEmpty, "\(leftovers)")
        let tooBig = try await server.send("POST", "/api/v1/datasets/\(id)/versions", token: token, body: Data(Self.bytes(150_000)))
        #expect(tooBig.status == 413 && tooBig.error.contains("limit"))
        #expect(try await server.platform.datasets.versions(id: id, workspaceID: server.admin.key.workspaceID).isEmpty)
        await server.stop()
    }
}
