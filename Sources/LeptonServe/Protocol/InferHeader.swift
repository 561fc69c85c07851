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

    /// The most dimensions an input's shape may have.
    static let maximumRank = 32

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
            let range = InferRequest.timeoutRange
            guard let n = node.int, n > 0 else {
                throw ServeError.badRequest("malformed inference request: parameters.timeout must be a positive number of microseconds")
            }
            guard range.contains(n) else {
                throw ServeError.badRequest("malformed inference request: parameters.timeout must be in \(range.lowerBound)...\(range.upperBound) microseconds (one hour), got \(n)")
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
            // A shape is short: refused before a hostile one is unpacked into boxed values.
            if let rank = input["shape"]?.listCount, rank > InferHeader.maximumRank {
                throw ServeError.badRequest("input '\(name)': shape has \(rank) dimensions, at most \(InferHeader.maximumRank) are accepted")
            }
            guard let dims = input["shape"]?.list, let shape = Optional(dims.compactMap(\.int)), shape.count == dims.count else {
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

    /// Flattens nested `data` lists and converts every element to `datatype`, straight from the
    /// numbers' text into the tensor's bytes (no array of boxed values in between).
    static func elements(_ data: JSONNode, datatype: V2DataType, name: String) throws -> V2Tensor.Elements {
        guard data.isList else {
            throw ServeError.badRequest("input '\(name)': data must be a nested or flat list of \(datatype.rawValue) values, got \(data.kind)")
        }
        var reader = DataReader(datatype: datatype, name: name)
        try reader.read(data)
        return reader.elements
    }
}
