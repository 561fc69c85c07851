import LeptonNN

/// A path to a value inside a training config: keys separated by dots, list indices in
/// brackets — `optimizer.learning_rate`, `model.layers[1].units`, `batch_size`.
public struct ConfigKeyPath: Sendable, Equatable, CustomStringConvertible {
    enum Component: Equatable {
        case key(String)
        case index(Int)
    }

    let components: [Component]
    public let description: String

    /// Parses `text`.
    /// - Throws: ``TuneError`` for an empty part or a malformed index.
    public init(_ text: String) throws {
        description = text
        var components: [Component] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            guard !key.isEmpty else { throw TuneError("search: key path \"\(text)\" has an empty part; expected keys like model.layers[1].units") }
            components.append(.key(String(key)))
            rest = rest.dropFirst(key.count)
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                      index >= 0 else {
                    throw TuneError("search: key path \"\(text)\" has a malformed index; expected [N] with N ≥ 0")
                }
                components.append(.index(index))
                rest = rest[rest.index(after: close)...]
            }
        }
        self.components = components
    }

    /// The value at this path in `root`.
    /// - Throws: ``TuneError`` naming the first part of the path the config does not have.
    public func value(in root: ConfigValue) throws -> ConfigValue {
        var current = root
        var walked = ""
        for component in components {
            switch (component, current) {
            case let (.key(key), .object(object)):
                guard let next = object[key] else { throw missing(walked, key: key) }
                current = next
                walked += walked.isEmpty ? key : ".\(key)"
            case let (.index(index), .array(array)):
                guard index < array.count else {
                    throw TuneError("search: \(description): \(walked) has \(array.count) entries, so there is no [\(index)]")
                }
                current = array[index]
                walked += "[\(index)]"
            default:
                throw TuneError("search: \(description): \(walked.isEmpty ? "the config" : walked) is \(current), not a \(component.isKey ? "mapping" : "list")")
            }
        }
        return current
    }

    /// `root` with the value at this path replaced by `value`.
    /// - Throws: as ``value(in:)``: the value must already be in the config.
    public func replacing(in root: ConfigValue, with value: ConfigValue) throws -> ConfigValue {
        _ = try self.value(in: root)
        return Self.replace(root, components[...], value)
    }

    private static func replace(_ node: ConfigValue, _ path: ArraySlice<Component>, _ value: ConfigValue) -> ConfigValue {
        guard let first = path.first else { return value }
        switch (first, node) {
        case let (.key(key), .object(object)):
            var copy = object
            copy[key] = replace(object[key]!, path.dropFirst(), value)
            return .object(copy)
        case let (.index(index), .array(array)):
            var copy = array
            copy[index] = replace(array[index], path.dropFirst(), value)
            return .array(copy)
        default:
            return node
        }
    }

    private func missing(_ walked: String, key: String) -> TuneError {
        TuneError("search: \(description): the config has no \(walked.isEmpty ? key : "\(walked).\(key)") (a searched key must be in the training config, which gives its value when the parameter is not searched)")
    }
}

extension ConfigKeyPath.Component {
    var isKey: Bool {
        if case .key = self { return true }
        return false
    }
}
