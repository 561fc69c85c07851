/// What an operator's builder knows about one node when a model is imported: its attributes
/// (read through typed accessors that refuse a wrong attribute type), the element types of its
/// inputs, which optional inputs and outputs are present, constant inputs, and the opset.
///
/// Every accessor throws an ``ONNXError`` naming the node, so a builder that rejects a node
/// gives the user the reason; after the builder returns, attributes it never read are refused
/// too (``checkAllAttributesRead()``), so a node is only accepted when every setting it carries
/// is one Lepton implements.
final class ONNXNodeContext {
    let node: Onnx_NodeProto
    /// `node #3 'conv1' (Conv)`.
    let label: String
    /// The version of the default operator set.
    let opset: Int
    /// Element types of the inputs, nil where an optional input is left out.
    let inputTypes: [ONNXElementType?]
    private let constants: [ONNXValue?]
    /// Values of enclosing graphs that this node's body graphs read; the kernel receives them
    /// after the node's own inputs, in this order.
    var captured: [String] = []
    /// Compiles one of this node's body graphs, given the element types of its inputs.
    var compileBody: ((Onnx_GraphProto, [ONNXElementType]) throws -> CompiledGraph)?
    private var attributes: [String: Onnx_AttributeProto] = [:]
    private var read = Set<String>()

    init(node: Onnx_NodeProto, label: String, opset: Int, inputTypes: [ONNXElementType?], constants: [ONNXValue?]) throws {
        self.node = node
        self.label = label
        self.opset = opset
        self.inputTypes = inputTypes
        self.constants = constants
        for attribute in node.attribute {
            guard attributes[attribute.name] == nil else {
                throw ONNXError("attribute '\(attribute.name)' is given twice", context: label)
            }
            guard attribute.refAttrName.isEmpty else {
                throw ONNXError("attribute '\(attribute.name)' refers to a function attribute, which only functions may do", context: label)
            }
            attributes[attribute.name] = attribute
        }
    }

    /// An error about this node.
    func error(_ message: String) -> ONNXError { ONNXError(message, context: label) }

    // MARK: Inputs and outputs

    /// Whether input `i` is given (present and not the empty name of a left-out optional input).
    func has(_ i: Int) -> Bool { i < node.input.count && !node.input[i].isEmpty }

    /// Whether output `i` is requested by the graph.
    func outputUsed(_ i: Int) -> Bool { i < node.output.count && !node.output[i].isEmpty }

    /// Number of outputs the node lists.
    var outputCount: Int { node.output.count }

    /// Checks the number of inputs (counting left-out optional ones) and outputs.
    func expect(inputs: ClosedRange<Int>, outputs: ClosedRange<Int> = 1...1) throws {
        guard inputs.contains(node.input.count) else {
            throw error("has \(node.input.count) input(s), expected \(Self.describe(inputs))")
        }
        guard outputs.contains(node.output.count) else {
            throw error("has \(node.output.count) output(s), expected \(Self.describe(outputs))")
        }
        for i in 0..<min(inputs.lowerBound, node.input.count) where node.input[i].isEmpty {
            throw error("input \(i) is required but left empty")
        }
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    }

    /// The element type of required input `i`.
    func type(_ i: Int) throws -> ONNXElementType {
        guard i < inputTypes.count, let type = inputTypes[i] else { throw error("input \(i) is required but missing") }
        return type
    }

    /// The element type of input `i`, checked against `allowed`.
    @discardableResult
    func type(_ i: Int, in allowed: Set<ONNXElementType>) throws -> ONNXElementType {
        let type = try type(i)
        guard allowed.contains(type) else {
            throw error("input \(i) '\(node.input[i])' is \(type); Lepton's \(node.opType) supports "
                        + ONNXElementType.list(allowed))
        }
        return type
    }

    /// Checks that the given inputs (those present) share one element type and returns it.
    func sameType(_ indices: [Int]) throws -> ONNXElementType {
        let present = indices.filter { has($0) }
        let first = try type(present[0])
        for i in present.dropFirst() where try type(i) != first {
            throw error("inputs \(present[0]) and \(i) are \(first) and \(try type(i)); expected one element type")
        }
        return first
    }

    /// The value of input `i` when it is known at import time (an initializer or a `Constant`).
    func constant(_ i: Int) -> ONNXValue? { i < constants.count ? constants[i] : nil }

    // MARK: Attributes

    private func attribute(_ name: String, _ expected: Onnx_AttributeProto.AttributeType) throws -> Onnx_AttributeProto? {
        read.insert(name)
        guard let attribute = attributes[name] else { return nil }
        let actual = attribute.type == .undefined ? Self.inferredType(attribute) : attribute.type
        guard actual == expected else {
            throw error("attribute '\(name)' is \(Self.name(actual)), expected \(Self.name(expected))")
        }
        return attribute
    }

    /// Whether the node carries attribute `name` (marks it as read).
    func hasAttribute(_ name: String) -> Bool {
        read.insert(name)
        return attributes[name] != nil
    }

    /// An `INT` attribute, or nil when absent (clamped to the 32-bit range Lepton indexes with,
    /// so that `INT64_MAX` keeps meaning "to the end" and no later arithmetic can overflow).
    func int(_ name: String) throws -> Int? { try attribute(name, .int).map { Int(Int32(clamping: $0.i)) } }
    /// An `INT` attribute with a default.
    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }
    /// An `INTS` attribute, or nil when absent.
    func ints(_ name: String) throws -> [Int]? { try attribute(name, .ints).map { $0.ints.map { Int(Int32(clamping: $0)) } } }
    /// A `FLOAT` attribute, or nil when absent.
    func float(_ name: String) throws -> Float? { try attribute(name, .float).map(\.f) }
    /// A `FLOAT` attribute with a default.
    func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }
    /// A `FLOATS` attribute, or nil when absent.
    func floats(_ name: String) throws -> [Float]? { try attribute(name, .floats).map(\.floats) }
    /// A `STRING` attribute (UTF-8), or nil when absent.
    func string(_ name: String) throws -> String? {
        try attribute(name, .string).map { String(decoding: $0.s, as: UTF8.self) }
    }
    /// A `STRINGS` attribute, or nil when absent.
    func strings(_ name: String) throws -> [String]? {
        try attribute(name, .strings).map { $0.strings.map { String(decoding: $0, as: UTF8.self) } }
    }
    /// A `TENSOR` attribute decoded (with the same size checks as initializers), or nil.
    func tensor(_ name: String) throws -> ONNXValue? {
        guard let attribute = try attribute(name, .tensor) else { return nil }
        do { return try attribute.t.value(context: "attribute '\(name)'") } catch let e as ONNXError {
            throw ONNXError(e.description, context: label)
        }
    }

    /// A `STRING` attribute that must be one of `allowed` (the first is the default).
    func choice(_ name: String, _ allowed: [String]) throws -> String {
        let value = try string(name) ?? allowed[0]
        guard allowed.contains(value) else {
            throw error("attribute '\(name)' is \"\(value)\"; Lepton supports " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return value
    }

    /// An `INT` attribute that must lie in `range`.
    func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        let v = try int(name, default: value)
        guard range.contains(v) else { throw error("attribute '\(name)' is \(v), expected \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// A `GRAPH` attribute compiled as a body graph whose inputs have `inputTypes`.
    func body(_ name: String, inputTypes: [ONNXElementType]) throws -> CompiledGraph {
        guard let attribute = try attribute(name, .graph) else { throw error("attribute '\(name)' (a graph) is required") }
        guard let compileBody else { throw error("body graphs cannot be compiled here") }
        do {
            return try compileBody(attribute.g, inputTypes)
        } catch let e as ONNXError {
            throw error("in the body '\(name)': \(e.description)")
        }
    }

    /// Refuses the node if it carries an attribute its builder did not read.
    func checkAllAttributesRead() throws {
        let unread = attributes.keys.filter { !read.contains($0) }.sorted()
        guard unread.isEmpty else {
            throw error("attribute" + (unread.count > 1 ? "s " : " ")
                        + unread.map { "'\($0)'" }.joined(separator: ", ") + " not supported by Lepton's \(node.opType)")
        }
    }

    private static func inferredType(_ a: Onnx_AttributeProto) -> Onnx_AttributeProto.AttributeType {
        if a.hasF { return .float }
        if a.hasI { return .int }
        if a.hasS { return .string }
        if a.hasT { return .tensor }
        if a.hasG { return .graph }
        if !a.floats.isEmpty { return .floats }
        if !a.ints.isEmpty { return .ints }
        if !a.strings.isEmpty { return .strings }
        if !a.tensors.isEmpty { return .tensors }
        if !a.graphs.isEmpty { return .graphs }
        return .undefined
    }

    private static func name(_ type: Onnx_AttributeProto.AttributeType) -> String {
        switch type {
        case .float: "FLOAT"; case .int: "INT"; case .string: "STRING"; case .tensor: "TENSOR"; case .graph: "GRAPH"
        case .floats: "FLOATS"; case .ints: "INTS"; case .strings: "STRINGS"; case .tensors: "TENSORS"
        case .graphs: "GRAPHS"; case .sparseTensor: "SPARSE_TENSOR"; case .sparseTensors: "SPARSE_TENSORS"
        case .typeProto: "TYPE_PROTO"; case .typeProtos: "TYPE_PROTOS"; case .undefined: "UNDEFINED"
        }
    }
}

extension ONNXElementType {
    /// `FLOAT`, `DOUBLE`, `FLOAT16`, `BFLOAT16`.
    static let floatingTypes: Set<ONNXElementType> = [.float, .double, .float16, .bfloat16]
    /// Signed and unsigned integers of every width.
    static let integerTypes: Set<ONNXElementType> = [.int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64]
    /// Signed integers (and the unsigned ones narrow enough to hold exactly).
    static let signedIntegerTypes: Set<ONNXElementType> = [.int8, .int16, .int32, .int64]
    /// Floating and integer types.
    static let numericTypes = floatingTypes.union(integerTypes)
    /// The 8- and 4-bit floats and the 4- and 2-bit integers: values that ops only move, cast and (de)quantize.
    static let narrowTypes: Set<ONNXElementType> = [.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0,
                                                    .float4e2m1, .int4, .uint4, .int2, .uint2]
    /// Every type Lepton holds.
    static let allTypes = numericTypes.union([.bool]).union(narrowTypes)

    /// `FLOAT, DOUBLE and INT64` (sorted by raw value).
    static func list(_ types: Set<ONNXElementType>) -> String {
        let names = types.sorted { $0.rawValue < $1.rawValue }.map(\.description)
        return names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
}
