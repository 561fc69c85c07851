import Foundation
import LeptonTensor

/// A named tensor as the V2 protocol carries it: datatype, shape and elements.
///
/// Fixed-size datatypes keep their elements as little-endian bytes (the binary extension's
/// layout), so merging requests into a batch and splitting the answer are byte copies;
/// `BYTES` tensors keep one byte string per element.
///
/// ```swift
/// let t = V2Tensor(name: "input", floats: [0, 1, 2, 3], shape: [2, 2])
/// t.floats()   // [0, 1, 2, 3]
/// ```
public struct V2Tensor: Sendable, Equatable {
    /// The elements: raw little-endian bytes for fixed-size datatypes, byte strings for `BYTES`.
    public enum Elements: Sendable, Equatable {
        /// `count × elementSize` bytes, little-endian, row-major.
        case fixed([UInt8])
        /// One byte string per element (`BYTES`).
        case strings([[UInt8]])
    }

    /// The tensor's name (an input or output of a model).
    public var name: String
    /// The element type.
    public var datatype: V2DataType
    /// The dimensions; the first is the batch dimension for batching models.
    public var shape: [Int]
    /// The element storage.
    public var elements: Elements

    /// Creates a tensor from its parts.
    /// - Throws: ``ServeError`` (400) when the elements do not fill `shape`.
    public init(name: String, datatype: V2DataType, shape: [Int], elements: Elements) throws {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.elements = elements
        let expected = try Self.elementCount(shape, name: name)
        if elementCount != expected {
            throw ServeError.badRequest("input '\(name)': shape \(shape) needs \(expected) elements, got \(elementCount)")
        }
    }

    /// A `FP32` tensor.
    public init(name: String, floats: [Float], shape: [Int]) {
        self.name = name
        datatype = .fp32
        self.shape = shape
        elements = .fixed(Self.bytes(of: floats))
    }

    /// An `INT32` tensor.
    public init(name: String, int32s: [Int32], shape: [Int]) {
        self.name = name
        datatype = .int32
        self.shape = shape
        elements = .fixed(Self.bytes(of: int32s))
    }

    /// Number of elements held.
    public var elementCount: Int {
        switch elements {
        case .fixed(let bytes): return bytes.count / (datatype.elementSize ?? 1)
        case .strings(let strings): return strings.count
        }
    }

    /// Number of elements a shape holds.
    /// - Throws: ``ServeError`` (400) for a negative dimension or an overflowing product.
    public static func elementCount(_ shape: [Int], name: String) throws -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw ServeError.badRequest("input '\(name)': shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Int(Int32.max) else {
                throw ServeError.badRequest("input '\(name)': shape \(shape) holds too many elements")
            }
            count = product
        }
        return count
    }

    /// The tensor with its elements converted to `target` when no value can change — `UINT8`,
    /// `INT8`, `UINT16` and `INT16` to `FP32` or `INT32` (pixels sent as bytes to a model that
    /// takes floats) — or nil for any other pair.
    public func widened(to target: V2DataType) -> V2Tensor? {
        guard target == .fp32 || target == .int32 else { return nil }
        let values: [Int32]
        switch datatype {
        case .uint8: values = typed(UInt8.self).map { Int32($0) }
        case .int8: values = typed(Int8.self).map { Int32($0) }
        case .uint16: values = typed(UInt16.self).map { Int32($0) }
        case .int16: values = typed(Int16.self).map { Int32($0) }
        default: return nil
        }
        return target == .fp32 ? V2Tensor(name: name, floats: values.map { Float($0) }, shape: shape)
                               : V2Tensor(name: name, int32s: values, shape: shape)
    }

    /// The elements as `Float` (`FP32` tensors only; nil otherwise).
    public func floats() -> [Float]? { datatype == .fp32 ? typed(Float.self) : nil }

    /// The elements as `Int32` (`INT32` tensors only; nil otherwise).
    public func int32s() -> [Int32]? { datatype == .int32 ? typed(Int32.self) : nil }

    /// The elements reinterpreted as `T` (the caller checks that `T` matches the datatype).
    public func typed<T>(_: T.Type) -> [T] {
        guard case .fixed(let bytes) = elements else { return [] }
        let n = bytes.count / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                _ = memcpy(buffer.baseAddress!, raw.baseAddress!, n * MemoryLayout<T>.stride)
            }
            initialized = n
        }
    }

    /// The little-endian bytes of an array of fixed-size values.
    public static func bytes<T>(of values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    /// Rows `range` along the first dimension.
    public func rows(_ range: Range<Int>) -> V2Tensor {
        var out = self
        out.shape[0] = range.count
        let perRow = shape.dropFirst().reduce(1, *)
        switch elements {
        case .fixed(let bytes):
            let size = (datatype.elementSize ?? 1) * perRow
            out.elements = .fixed(Array(bytes[(range.lowerBound * size)..<(range.upperBound * size)]))
        case .strings(let strings):
            out.elements = .strings(Array(strings[(range.lowerBound * perRow)..<(range.upperBound * perRow)]))
        }
        return out
    }

    /// Tensors of one datatype and equal trailing dimensions, joined along the first dimension.
    public static func concatenateRows(_ parts: [V2Tensor]) -> V2Tensor {
        checkPrecondition(!parts.isEmpty, "concatenateRows: expected at least one part")
        var out = parts[0]
        if parts.count == 1 { return out }
        out.shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
        switch out.elements {
        case .fixed:
            var bytes: [UInt8] = []
            bytes.reserveCapacity(parts.reduce(0) { if case .fixed(let b) = $1.elements { return $0 + b.count }; return $0 })
            for part in parts { if case .fixed(let b) = part.elements { bytes.append(contentsOf: b) } }
            out.elements = .fixed(bytes)
        case .strings:
            out.elements = .strings(parts.flatMap { if case .strings(let s) = $0.elements { return s }; return [] })
        }
        return out
    }
}
