/// Triton's classification extension: an output requested with `parameters.classification = k`
/// comes back as the `k` best classes of each row instead of the raw scores — a `BYTES` tensor of
/// shape `[rows, k]` whose elements read `"value:index"`, best first (ties: lower index first).
///
/// Every element after the batch dimension is one class; `k` larger than the class count gives
/// all classes, as Triton does.
enum Classification {
    /// The top `k` classes of every row of `tensor` (the first dimension is the batch).
    /// - Throws: ``ServeError`` (400) for a `BOOL` or `BYTES` output, which has no scores.
    static func topK(_ tensor: V2Tensor, k: Int) throws -> V2Tensor {
        guard let values = scores(tensor) else {
            throw ServeError.badRequest("output '\(tensor.name)': classification needs numeric scores, the output is \(tensor.datatype.rawValue)")
        }
        let rows = tensor.shape.first ?? 0
        let classes = rows == 0 ? 0 : values.count / rows
        let keep = min(k, classes)
        var strings: [[UInt8]] = []
        strings.reserveCapacity(rows * keep)
        for r in 0..<rows {
            let row = values[(r * classes)..<((r + 1) * classes)]
            let best = row.indices.sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(keep)
            for i in best { strings.append(Array("\(describe(row[i], tensor.datatype)):\(i - r * classes)".utf8)) }
        }
        return try V2Tensor(name: tensor.name, datatype: .bytes, shape: [rows, keep], elements: .strings(strings))
    }

    /// The elements as Double, for numeric datatypes.
    private static func scores(_ t: V2Tensor) -> [Double]? {
        switch t.datatype {
        case .fp32: return t.typed(Float.self).map(Double.init)
        case .fp64: return t.typed(Double.self)
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            return t.typed(Float16.self).map(Double.init)
            #else
            return nil
            #endif
        case .int8: return t.typed(Int8.self).map(Double.init)
        case .int16: return t.typed(Int16.self).map(Double.init)
        case .int32: return t.typed(Int32.self).map(Double.init)
        case .int64: return t.typed(Int64.self).map(Double.init)
        case .uint8: return t.typed(UInt8.self).map(Double.init)
        case .uint16: return t.typed(UInt16.self).map(Double.init)
        case .uint32: return t.typed(UInt32.self).map(Double.init)
        case .uint64: return t.typed(UInt64.self).map(Double.init)
        case .bool, .bytes: return nil
        }
    }

    /// A score as the output's own type prints it (floats in shortest round-trip form).
    private static func describe(_ value: Double, _ datatype: V2DataType) -> String {
        switch datatype {
        case .fp32, .fp16: return Float(value).description
        case .fp64: return value.description
        default: return String(Int64(value))
        }
    }
}
