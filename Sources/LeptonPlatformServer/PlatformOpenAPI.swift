import Foundation

/// The OpenAPI 3 document of the platform API, built from the route table: every path and
/// method with its summary and the least role that may call it (`x-lepton-role`).
enum PlatformOpenAPI {
    static func document(routes: [PlatformRoute], version: String) -> String {
        var paths: [String: [String: Any]] = [
            "/healthz": ["get": ["summary": "liveness (no key needed)", "security": [] as [Any], "responses": ["200": ["description": "ok"]]]],
        ]
        for route in routes {
            let path = route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            let parameters = route.path.split(separator: "/").filter { $0.hasPrefix(":") }.map {
                ["name": String($0.dropFirst()), "in": "path", "required": true, "schema": ["type": "string"]] as [String: Any]
            }
            paths["/" + path, default: [:]][route.method.rawValue.lowercased()] = [
                "summary": route.summary, "x-lepton-role": route.role.rawValue, "parameters": parameters,
                "responses": ["200": ["description": "ok"], "401": ["description": "missing or invalid key"],
                              "403": ["description": "the key's role is below \(route.role.rawValue)"]],
            ] as [String: Any]
        }
        let document: [String: Any] = [
            "openapi": "3.0.3",
            "info": ["title": "Lepton platform API", "version": version],
            "components": ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]]],
            "security": [["bearer": [] as [Any]]],
            "paths": paths,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
