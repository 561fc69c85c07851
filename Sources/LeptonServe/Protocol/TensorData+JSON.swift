/// Decodes a V2 `data` array, nested or flat, into a flat list of `T` in row-major order.
struct FlatData<T: Decodable>: Decodable {
    var values: [T] = []

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        if let count = container.count { values.reserveCapacity(count) }
        try Self.flatten(&container, into: &values)
    }

    private static func flatten(_ container: inout any UnkeyedDecodingContainer, into values: inout [T]) throws {
        while !container.isAtEnd {
            do {
                values.append(try container.decode(T.self))
            } catch let scalarError {
                // A failed scalar decode does not advance the container: try the element as a nested array.
                guard var nested = try? container.nestedUnkeyedContainer() else { throw scalarError }
                try flatten(&nested, into: &values)
            }
        }
    }
}

extension V2Tensor.Elements {
    /// Decodes the `data` member of a JSON input as elements of `datatype`.
    static func decode<K: CodingKey>(_ datatype: V2DataType, from container: KeyedDecodingContainer<K>, forKey key: K) throws -> V2Tensor.Elements {
        func fixed<T: Decodable>(_: T.Type) throws -> V2Tensor.Elements {
            .fixed(V2Tensor.bytes(of: try container.decode(FlatData<T>.self, forKey: key).values))
        }
        switch datatype {
        case .bool: return .fixed(try container.decode(FlatData<Bool>.self, forKey: key).values.map { $0 ? 1 : 0 })
        case .uint8: return try fixed(UInt8.self)
        case .uint16: return try fixed(UInt16.self)
        case .uint32: return try fixed(UInt32.self)
        case .uint64: return try fixed(UInt64.self)
        case .int8: return try fixed(Int8.self)
        case .int16: return try fixed(Int16.self)
        case .int32: return try fixed(Int32.self)
        case .int64: return try fixed(Int64.self)
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            return .fixed(V2Tensor.bytes(of: try container.decode(FlatData<Float>.self, forKey: key).values.map { Float16($0) }))
            #else
            throw ServeError.badRequest("FP16 is not supported on this machine")
            #endif
        case .fp32: return try fixed(Float.self)
        case .fp64: return try fixed(Double.self)
        case .bytes: return .strings(try container.decode(FlatData<String>.self, forKey: key).values.map { Array($0.utf8) })
        }
    }
}

/// Encodes a tensor's elements as a flat JSON array of its datatype's values.
struct EncodedData: Encodable {
    let tensor: V2Tensor

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch tensor.datatype {
        case .bool: try c.encode(tensor.typed(UInt8.self).map { $0 != 0 })
        case .uint8: try c.encode(tensor.typed(UInt8.self))
        case .uint16: try c.encode(tensor.typed(UInt16.self))
        case .uint32: try c.encode(tensor.typed(UInt32.self))
        case .uint64: try c.encode(tensor.typed(UInt64.self))
        case .int8: try c.encode(tensor.typed(Int8.self))
        case .int16: try c.encode(tensor.typed(Int16.self))
        case .int32: try c.encode(tensor.typed(Int32.self))
        case .int64: try c.encode(tensor.typed(Int64.self))
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            try c.encode(tensor.typed(Float16.self).map { Float($0) })
            #else
            try c.encode([Float]())
            #endif
        case .fp32: try c.encode(tensor.typed(Float.self))
        case .fp64: try c.encode(tensor.typed(Double.self))
        case .bytes:
            guard case .strings(let strings) = tensor.elements else { try c.encode([String]()); return }
            try c.encode(strings.map { String(decoding: $0, as: UTF8.self) })
        }
    }
}
