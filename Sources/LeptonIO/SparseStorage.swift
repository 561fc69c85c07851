import Foundation
import LeptonNN
import LeptonTensor

/// Compact storage of pruned weights in a model's safetensors file.
///
/// A tensor at least half of whose elements are zero (bit for bit: `-0.0` counts as a value) is
/// stored as two safetensors entries — `NAME.sparse_mask`, one bit per element (int8 bytes, bit
/// `i % 8` of byte `i / 8`, least significant first), and `NAME.sparse_values`, the non-zero
/// elements in order, in the tensor's own dtype — and listed with its shape in the file's
/// metadata under ``metadataKey`` (`{"dense.kernel":[784,256]}`). At 80 % zeros a float32 kernel
/// takes 0.2 × 4 + 1/8 bytes per weight instead of 4 (4.3× less), an int8 one 0.325 instead of 1.
/// The file stays valid safetensors; tools that do not know the convention see the two entries.
///
/// Unpacking checks everything before it allocates the dense tensor: the recorded shape against
/// the one the model expects, the mask's length against the shape, the values' count against
/// the mask's set bits, and that no bit past the last element is set.
public enum SparseStorage {
    /// The safetensors metadata key listing the tensors stored sparse, with their shapes.
    public static let metadataKey = "lepton_sparse"
    static let maskSuffix = ".sparse_mask"
    static let valuesSuffix = ".sparse_values"
    /// The smallest tensor stored sparse (a short bias gains nothing worth the two entries).
    static let minimumElements = 64

    /// `tensors` with every tensor that is at least half zeros replaced by its mask and values,
    /// and the metadata entry describing them (nil when nothing was packed).
    public static func pack(_ tensors: [(String, Tensor)]) throws -> (tensors: [(String, Tensor)], metadata: String?) {
        var out: [(String, Tensor)] = []
        var shapes: [String: [Int]] = [:]
        for (name, tensor) in tensors {
            guard tensor.count >= minimumElements, let (mask, values) = packed(tensor) else {
                out.append((name, tensor))
                continue
            }
            out.append((name + maskSuffix, mask))
            out.append((name + valuesSuffix, values))
            shapes[name] = tensor.shape
        }
        guard !shapes.isEmpty else { return (out, nil) }
        let json = try JSONSerialization.data(withJSONObject: shapes, options: [.sortedKeys])
        return (out, String(decoding: json, as: UTF8.self))
    }

    /// The mask and values of `tensor`, or nil when fewer than half of its elements are zero.
    static func packed(_ tensor: Tensor) -> (mask: Tensor, values: Tensor)? {
        let width = tensor.dtype.byteSize, count = tensor.count
        let bytes = UnsafeRawBufferPointer(start: tensor.storage.pointer, count: count * width)
        var bits = [Int8](repeating: 0, count: (count + 7) / 8)
        var nonZero = 0
        for i in 0..<count where !isZero(bytes, element: i, width: width) {
            bits[i >> 3] |= Int8(bitPattern: UInt8(1) << UInt8(i & 7))
            nonZero += 1
        }
        guard nonZero * 2 <= count else { return nil }
        let values = Tensor(uninitializedShape: [nonZero], dtype: tensor.dtype)
        var next = 0
        for i in 0..<count where bits[i >> 3] & Int8(bitPattern: UInt8(1) << UInt8(i & 7)) != 0 {
            values.storage.pointer.advanced(by: next * width).copyMemory(from: bytes.baseAddress! + i * width, byteCount: width)
            next += 1
        }
        return (Tensor(int8: bits, shape: [bits.count]), values)
    }

    /// `tensors` (as read from a file whose metadata is `metadata`) with every sparse pair
    /// replaced by its dense tensor. `expected` is the model's own state dictionary (empty when the
    /// model is not built yet): a sparse tensor's recorded shape and dtype must match the model's
    /// before it is expanded.
    /// - Throws: ``IOError`` naming the tensor for a malformed metadata entry, a missing or
    ///   inconsistent mask or values entry, or a shape the model does not have.
    public static func unpack(_ tensors: [String: Tensor], metadata: [String: String], expected: [String: Tensor],
                              file: String) throws -> [String: Tensor] {
        guard let entry = metadata[metadataKey] else { return tensors }
        guard let object = try? JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any] else {
            throw IOError("metadata '\(metadataKey)' is not a JSON object of tensor names and shapes", file: file)
        }
        var result = tensors
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let shape = value as? [Int] else {
                throw IOError("metadata '\(metadataKey)': the shape of '\(name)' is not a list of integers", file: file)
            }
            if let model = expected[name], shape != model.shape {
                throw IOError("sparse tensor '\(name)' has shape \(shape); the model expects \(model.shape)", file: file)
            }
            guard shape.allSatisfy({ $0 >= 0 }), let count = LayerLimits.product(shape) else {
                throw IOError("metadata '\(metadataKey)': the shape \(shape) of '\(name)' has a negative or overflowing size", file: file)
            }
            guard let mask = result.removeValue(forKey: name + maskSuffix), let values = result.removeValue(forKey: name + valuesSuffix) else {
                throw IOError("sparse tensor '\(name)' needs the entries '\(name + maskSuffix)' and '\(name + valuesSuffix)'", file: file)
            }
            guard result[name] == nil else {
                throw IOError("'\(name)' is stored both dense and sparse", file: file)
            }
            result[name] = try dense(name, shape: shape, count: count, dtype: expected[name]?.dtype ?? values.dtype,
                                     mask: mask, values: values, file: file)
        }
        return result
    }

    /// The dense tensor of one mask and values pair, after checking that they describe `shape`.
    /// The mask's length is checked first, so the dense tensor is at most 8 elements per mask byte
    /// read from the file.
    static func dense(_ name: String, shape: [Int], count: Int, dtype: DType, mask: Tensor, values: Tensor, file: String) throws -> Tensor {
        let maskBytes = count / 8 + (count % 8 == 0 ? 0 : 1)
        guard mask.dtype == .int8, mask.shape == [maskBytes] else {
            throw IOError("'\(name + maskSuffix)' must be int8 of shape [\(maskBytes)] for \(count) elements; "
                          + "got \(mask.dtype.rawValue) \(mask.shape)", file: file)
        }
        let bits = UnsafeBufferPointer(start: mask.storage.pointer.assumingMemoryBound(to: UInt8.self), count: mask.count)
        let set = bits.reduce(0) { $0 + $1.nonzeroBitCount }
        guard values.dtype == dtype, values.shape == [set] else {
            throw IOError("'\(name + valuesSuffix)' must be \(dtype.rawValue) of shape [\(set)] (the mask's set bits); "
                          + "got \(values.dtype.rawValue) \(values.shape)", file: file)
        }
        if count % 8 != 0, let last = bits.last, last >> UInt8(count % 8) != 0 {
            throw IOError("'\(name + maskSuffix)' sets bits past the tensor's \(count) elements", file: file)
        }
        let width = dtype.byteSize
        let out = Tensor(uninitializedShape: shape, dtype: dtype)
        out.storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count * width)
        var next = 0
        for i in 0..<count where bits[i >> 3] & (UInt8(1) << UInt8(i & 7)) != 0 {
            out.storage.pointer.advanced(by: i * width).copyMemory(from: values.storage.pointer + next * width, byteCount: width)
            next += 1
        }
        return out
    }

    /// How many of `tensor`'s elements are zero, bit for bit (what ``pack(_:)`` leaves out).
    public static func zeroCount(of tensor: Tensor) -> Int {
        let width = tensor.dtype.byteSize
        let bytes = UnsafeRawBufferPointer(start: tensor.storage.pointer, count: tensor.count * width)
        return (0..<tensor.count).reduce(0) { $0 + (isZero(bytes, element: $1, width: width) ? 1 : 0) }
    }

    /// Whether element `i` of `width` bytes is all zero bytes.
    static func isZero(_ bytes: UnsafeRawBufferPointer, element i: Int, width: Int) -> Bool {
        for b in (i * width)..<((i + 1) * width) where bytes[b] != 0 { return false }
        return true
    }

    /// The names of the tensors a file's metadata lists as stored sparse.
    public static func names(in metadata: [String: String]) -> [String] {
        guard let entry = metadata[metadataKey],
              let object = try? JSONSerialization.jsonObject(with: Data(entry.utf8)) as? [String: Any] else { return [] }
        return object.keys.sorted()
    }
}
