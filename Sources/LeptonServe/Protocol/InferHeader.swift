/// The JSON header of an inference request, read from a parsed document: inputs with their
/// `data` converted to the input's datatype, or their `binary_data_size`; requested outputs; `id`.
struct InferHeader {
    struct Input {
        var name: String
        var shape: [Int]
        var datatype: V2DataType
        var binaryDataSize: Int?
        var elements: V2Tensor.Elements?
    }

    var id: String?
    var binaryDataOutput = false
    /// Triton's request `timeout` parameter, in microseconds.
    var timeoutMicroseconds: Int?
    var inputs: [Input] = []
    var outputs: [RequestedOutput] = []

    /// Reads a parsed request.
    /// - Throws: ``ServeError`` (400) naming the member that is missing or of the wrong kind.
    init(_ document: JSONNode) throws {
        guard case .object(let root) = document else {
            throw ServeError.badRequest("malformed inference request: expected a JSON object, got \(document.kind)")
        }
        switch root["id"] {
        case nil, .null?: id = nil
        case .string(let s)?: id = s
        case let other?: throw ServeError.badRequest("malformed inference request: id must be a string, got \(other.kind)")
        }
        let parameters = try Self.object(root["parameters"], "parameters")
        binaryDataOutput = try Self.bool(parameters["binary_data_output"], "parameters.binary_data_output") ?? false
        if let node = parameters["timeout"], node != .null {
            guard let n = node.int, n > 0 else {
                throw ServeError.badRequest("malformed inference request: parameters.timeout must be a positive number of microseconds")
            }
            timeoutMicroseconds = n
        }
        guard case .array(let inputList)? = root["inputs"] else {
            throw ServeError.badRequest("malformed inference request: inputs must be a list of tensors, got \(root["inputs"]?.kind ?? "nothing")")
        }
        for (k, node) in inputList.enumerated() {
            let path = "inputs[\(k)]"
            guard case .object(let input) = node else { throw ServeError.badRequest("malformed inference request: \(path) must be an object") }
            guard case .string(let name)? = input["name"] else { throw ServeError.badRequest("malformed inference request: \(path).name must be a string") }
            guard case .array(let dims)? = input["shape"], let shape = Optional(dims.compactMap(\.int)), shape.count == dims.count else {
                throw ServeError.badRequest("input '\(name)': shape must be a list of integers")
            }
            guard case .string(let typeName)? = input["datatype"] else { throw ServeError.badRequest("input '\(name)': datatype must be a string") }
            let datatype = try V2DataType.parse(typeName, what: "input '\(name)'")
            let inputParameters = try Self.object(input["parameters"], "\(path).parameters")
            var size: Int?
            if let node = inputParameters["binary_data_size"] {
                guard let n = node.int, n >= 0 else { throw ServeError.badRequest("input '\(name)': binary_data_size must be a non-negative integer") }
                size = n
            }
            let elements = try input["data"].map { try Self.elements($0, datatype: datatype, name: name) }
            inputs.append(Input(name: name, shape: shape, datatype: datatype, binaryDataSize: size, elements: elements))
        }
        switch root["outputs"] {
        case nil, .null?: break
        case .array(let list)?:
            for (k, node) in list.enumerated() {
                guard case .object(let output) = node, case .string(let name)? = output["name"] else {
                    throw ServeError.badRequest("malformed inference request: outputs[\(k)] must be an object with a string name")
                }
                let outputParameters = try Self.object(output["parameters"], "outputs[\(k)].parameters")
                var classification: Int?
                if let node = outputParameters["classification"], node != .null {
                    guard let n = node.int, n >= 1 else {
                        throw ServeError.badRequest("malformed inference request: outputs[\(k)].parameters.classification must be a positive number of classes")
                    }
                    classification = n
                }
                outputs.append(RequestedOutput(name: name, binaryData: try Self.bool(outputParameters["binary_data"], "outputs[\(k)].parameters.binary_data"),
                                               classification: classification))
            }
        case let other?:
            throw ServeError.badRequest("malformed inference request: outputs must be a list, got \(other.kind)")
        }
    }

    private static func object(_ node: JSONNode?, _ path: String) throws -> [String: JSONNode] {
        switch node {
        case nil, .null?: return [:]
        case .object(let o)?: return o
        case let other?: throw ServeError.badRequest("malformed inference request: \(path) must be an object, got \(other.kind)")
        }
    }

    private static func bool(_ node: JSONNode?, _ path: String) throws -> Bool? {
        switch node {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw ServeError.badRequest("malformed inference request: \(path) must be true or false, got \(other.kind)")
        }
    }

    /// Flattens nested `data` lists and converts every element to `datatype`.
    static func elements(_ data: JSONNode, datatype: V2DataType, name: String) throws -> V2Tensor.Elements {
        guard case .array = data else {
            throw ServeError.badRequest("input '\(name)': data must be a nested or flat list of \(datatype.rawValue) values, got \(data.kind)")
        }
        var flat: [JSONNode] = []
        func flatten(_ node: JSONNode) {
            if case .array(let list) = node { list.forEach(flatten) } else { flat.append(node) }
        }
        flatten(data)
        func bad(_ k: Int) -> ServeError {
            let shown: String
            switch flat[k] {
            case .number(let text): shown = text
            case .string(let text): shown = "\"\(text.prefix(20))\""
            default: shown = flat[k].kind
            }
            return ServeError.badRequest("input '\(name)': data must be a nested or flat list of \(datatype.rawValue) values; element \(k) is \(shown)")
        }
        func fixed<T>(_ convert: (String) -> T?) throws -> V2Tensor.Elements {
            var values: [T] = []
            values.reserveCapacity(flat.count)
            for k in flat.indices {
                guard case .number(let text) = flat[k], let v = convert(text) else { throw bad(k) }
                values.append(v)
            }
            return .fixed(V2Tensor.bytes(of: values))
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> V2Tensor.Elements {
            try fixed { text in
                if let v = T(text) { return v }
                guard let d = Double(text), d.rounded() == d else { return nil }
                return T(exactly: d)
            }
        }
        switch datatype {
        case .bool:
            return .fixed(try flat.indices.map { k -> UInt8 in
                guard case .bool(let b) = flat[k] else { throw bad(k) }
                return b ? 1 : 0
            })
        case .uint8: return try integer(UInt8.self)
        case .uint16: return try integer(UInt16.self)
        case .uint32: return try integer(UInt32.self)
        case .uint64: return try integer(UInt64.self)
        case .int8: return try integer(Int8.self)
        case .int16: return try integer(Int16.self)
        case .int32: return try integer(Int32.self)
        case .int64: return try integer(Int64.self)
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            return try fixed { Float($0).map { Float16($0) } }
            #else
            throw ServeError.badRequest("FP16 is not supported on this machine")
            #endif
        case .fp32: return try fixed { Float($0) }
        case .fp64: return try fixed { Double($0) }
        case .bytes:
            return .strings(try flat.indices.map { k -> [UInt8] in
                guard case .string(let s) = flat[k] else { throw bad(k) }
                return Array(s.utf8)
            })
        }
    }
}
