import Foundation

/// A model version as a user names it: `MODEL` (its latest version), `MODEL:VERSION` or
/// `MODEL@ALIAS`, where MODEL is a registered model's name or id. Deployments also take
/// `market:LISTING` (``marketListing(_:)``), a marketplace listing pulled into the workspace.
public struct ModelReference: Sendable, Equatable, CustomStringConvertible {
    /// The model's name or id.
    public let model: String
    /// How the version is chosen.
    public let selector: Selector

    /// How a version is chosen.
    public enum Selector: Sendable, Equatable {
        /// The highest version number.
        case latest
        /// This version number.
        case number(Int)
        /// The version an alias points at.
        case alias(String)
    }

    /// Parses `MODEL`, `MODEL:VERSION` or `MODEL@ALIAS`.
    /// - Throws: ``PlatformError`` (`badRequest`) showing the accepted forms.
    public init(parsing text: String) throws {
        let expected = "expected MODEL, MODEL:VERSION (a number) or MODEL@ALIAS"
        if let at = text.firstIndex(of: "@") {
            let alias = String(text[text.index(after: at)...])
            guard at != text.startIndex, !alias.isEmpty, !alias.contains("@"), !alias.contains(":") else {
                throw PlatformError(.badRequest, "model reference \"\(text)\" is malformed; \(expected)")
            }
            model = String(text[..<at])
            selector = .alias(alias)
        } else if let colon = text.firstIndex(of: ":") {
            guard colon != text.startIndex, let number = Int(text[text.index(after: colon)...]), number >= 1 else {
                throw PlatformError(.badRequest, "model reference \"\(text)\" is malformed; \(expected)")
            }
            model = String(text[..<colon])
            selector = .number(number)
        } else {
            guard !text.isEmpty else { throw PlatformError(.badRequest, "the model reference is empty; \(expected)") }
            model = text
            selector = .latest
        }
    }

    /// The listing id of a `market:LISTING` reference; nil for any other text.
    public static func marketListing(_ text: String) -> String? {
        guard text.hasPrefix("market:") else { return nil }
        let id = String(text.dropFirst("market:".count))
        return id.isEmpty ? nil : id
    }

    public var description: String {
        switch selector {
        case .latest: return model
        case .number(let number): return "\(model):\(number)"
        case .alias(let alias): return "\(model)@\(alias)"
        }
    }

    /// The model and version number this reference names in `workspaceID`.
    /// - Throws: ``PlatformError`` (`notFound`) when the model, version or alias does not exist.
    func resolve(in registry: ModelRegistry, workspaceID: String) async throws -> (RegisteredModel, Int) {
        let found = try await registry.get(model, workspaceID: workspaceID)
        let numbers = try await registry.versions(found.id, workspaceID: workspaceID).map(\.number)
        let number: Int?
        switch selector {
        case .latest: number = numbers.max()
        case .number(let chosen): number = chosen
        case .alias(let alias):
            guard let aliased = found.aliases[alias] else {
                throw PlatformError(.notFound, "model \(found.name) has no alias \(alias); it has \(found.aliases.keys.sorted().joined(separator: ", "))")
            }
            number = aliased
        }
        guard let number, numbers.contains(number) else {
            throw PlatformError(.notFound, "model \(found.name) has no version \(number.map(String.init) ?? "at all"); it has \(numbers.map(String.init).joined(separator: ", "))")
        }
        return (found, number)
    }
}
