import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonTestSupport
import Testing

/// What `lepton deploy export` wrote is checked as far as this machine can without a container
/// runtime: the manifests' probe paths are answered by the exported binary started with the
/// Dockerfile's command (with only the bundle's libraries added), and every shared library the
/// binary and its bundled libraries need comes from a Debian package the Dockerfile installs.
enum DeployExportChecks {
    static func check(_ folder: URL) async throws {
        for file in ["Dockerfile", "README.md", "bin/lepton", "k8s/deployment.yaml", "k8s/service.yaml", "k8s/hpa.yaml"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
        let dockerfile = try String(contentsOf: folder.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let entry = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("ENTRYPOINT ") })
        var command = try JSONDecoder().decode([String].self, from: Data(entry.dropFirst("ENTRYPOINT ".count).utf8))
        let manifest = try String(contentsOf: folder.appendingPathComponent("k8s/deployment.yaml"), encoding: .utf8)
        let probes = manifest.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("path: ") else { return nil }
            return text.dropFirst(6).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        #expect(Set(probes) == ["/v2/health/ready", "/v2/health/live"], "\(probes)")

        // The container's command, with the bundle's paths for the image's and a free port.
        command = command.map { $0 == "/opt/lepton/bin/lepton" ? folder.appendingPathComponent("bin/lepton").path
                                : $0 == "/models" ? folder.appendingPathComponent("models").path : $0 }
        let portIndex = try #require(command.firstIndex(of: "--port")) + 1
        command[portIndex] = "0"
        let hostIndex = try #require(command.firstIndex(of: "--host")) + 1
        command[hostIndex] = "127.0.0.1"
        let portFile = folder.deletingLastPathComponent().appendingPathComponent("exported-port-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + ["--port-file", portFile.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["LD_LIBRARY_PATH": folder.appendingPathComponent("lib").path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit(); try? FileManager.default.removeItem(at: portFile) }
        var port: Int?
        for _ in 0..<300 where port == nil {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let bound = try #require(port, "the exported server did not start")
        for path in probes {
            var answered = 0
            for _ in 0..<100 where answered != 200 {
                let reply = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(bound)\(path)")!)
                answered = (reply?.1 as? HTTPURLResponse)?.statusCode ?? 0
                if answered != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(answered == 200, "\(path)")
        }

        // Every library needed and not bundled comes from a package the Dockerfile installs.
        let installLine = try #require(dockerfile.split(separator: "\n").first { $0.contains("apt-get install") })
        let installed = Set(installLine.split(separator: " ").map(String.init)).union(["libc6"])
        let bundled = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("lib").path)) ?? [])
        let objects = [folder.appendingPathComponent("bin/lepton")] + bundled.map { folder.appendingPathComponent("lib").appendingPathComponent($0) }
        var needed = Set<String>()
        for object in objects {
            for line in try run("/usr/bin/objdump", ["-p", object.path]).split(separator: "\n") where line.contains("NEEDED") {
                if let name = line.split(separator: " ").last { needed.insert(String(name)) }
            }
        }
        for library in needed.subtracting(bundled).sorted() {
            let owner = try run("/usr/bin/dpkg", ["-S", "*/\(library)"]).split(separator: "\n")
                .map { String($0.prefix { $0 != ":" }) }.filter { !$0.hasSuffix("-dev") && !$0.contains("i386") }
            #expect(owner.contains { installed.contains($0) }, "\(library) (from \(owner)) is not installed by the Dockerfile")
        }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
