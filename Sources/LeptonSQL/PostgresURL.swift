import Foundation
import NIOSSL
import PostgresNIO

/// A `postgresql://` URL read as libpq reads it: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (user `postgres`, port 5432 and database = user when left out), `?sslmode=disable|require`,
/// and `?host=/socket/folder` for a Unix-domain socket.
struct PostgresURL {
    /// What the connection is opened with.
    let configuration: PostgresConnection.Configuration
    /// The URL with its password replaced by `***`, for messages.
    let redacted: String

    /// - Throws: ``SQLError`` naming what is malformed.
    init(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              scheme == "postgresql" || scheme == "postgres" else {
            throw SQLError("\(Self.redact(url)): not a PostgreSQL URL; expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? "postgres"
        let database = String(components.path.drop { $0 == "/" })
        guard !database.contains("/") else {
            throw SQLError("\(Self.redact(url)): the database name \"\(database)\" has a slash; expected postgresql://USER@HOST:PORT/DATABASE")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw SQLError("\(Self.redact(url)): port \(port) is out of range; expected 1...65535") }
        var options: [String: String] = [:]
        for item in components.queryItems ?? [] { options[item.name] = item.value ?? "" }
        let unknown = Set(options.keys).subtracting(["sslmode", "host"])
        guard unknown.isEmpty else {
            throw SQLError("\(Self.redact(url)): unknown option \(unknown.sorted().joined(separator: ", ")); expected sslmode or host")
        }
        let name = database.isEmpty ? user : database
        if let socketFolder = options["host"], socketFolder.hasPrefix("/") {
            configuration = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: components.password,
                                  database: name)
        } else {
            let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
            let tls: PostgresConnection.Configuration.TLS
            switch options["sslmode"] ?? "disable" {
            case "disable": tls = .disable
            case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case let mode: throw SQLError("\(Self.redact(url)): sslmode=\(mode) is not supported; expected disable or require")
            }
            configuration = .init(host: host, port: port, username: user, password: components.password, database: name, tls: tls)
        }
        redacted = Self.redact(url)
    }

    /// `url` with the password (between `:` and `@` of the authority) replaced by `***`.
    static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}
