import LeptonTensor

/// Comparisons (`Equal`, `Less`, `Greater`, `LessOrEqual`, `GreaterOrEqual`), boolean logic
/// (`Not`, `And`, `Or`, `Xor`), `Where`, and bit operations on integers (`BitShift`,
/// `BitwiseAnd`, `BitwiseOr`, `BitwiseXor`, `BitwiseNot`).
extension ONNXOperators {
    static var logical: [String: ONNXKernelBuilder] {
        [
            "Equal": comparison(types: ONNXElementType.allTypes) { $0 == $1 },
            "Less": comparison { $0 < $1 },
            "Greater": comparison { $0 > $1 },
            "LessOrEqual": comparison { $0 <= $1 },
            "GreaterOrEqual": comparison { $0 >= $1 },
            "And": logic { $0 != 0 && $1 != 0 },
            "Or": logic { $0 != 0 || $1 != 0 },
            "Xor": logic { ($0 != 0) != ($1 != 0) },
            "Not": not,
            "Where": whereOp,
            "BitwiseAnd": bitwise { $0 & $1 },
            "BitwiseOr": bitwise { $0 | $1 },
            "BitwiseXor": bitwise { $0 ^ $1 },
            "BitwiseNot": bitwiseNot,
            "BitShift": bitShift,
        ]
    }

    static func comparison(types: Set<ONNXElementType> = ONNXElementType.numericTypes,
                           _ f: @escaping (Double, Double) -> Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...2)
            _ = try ctx.sameType([0, 1])
            try ctx.type(0, in: types)
            return ONNXKernel(.bool) { try HostMath.compare($0[0]!, $0[1]!, f) }
        }
    }

    static func logic(_ f: @escaping (Int64, Int64) -> Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...2)
            try ctx.type(0, in: [.bool])
            try ctx.type(1, in: [.bool])
            return ONNXKernel(.bool) { try HostMath.integers($0[0]!, $0[1]!, as: .bool) { f($0, $1) ? 1 : 0 } }
        }
    }

    static let not: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        try ctx.type(0, in: [.bool])
        return ONNXKernel(.bool) { HostMath.integers($0[0]!, as: .bool) { $0 == 0 ? 1 : 0 } }
    }

    static func bitwise(_ f: @escaping (Int64, Int64) -> Int64) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...2)
            let type = try ctx.sameType([0, 1])
            try ctx.type(0, in: ONNXElementType.integerTypes)
            return ONNXKernel(type) { try HostMath.integers($0[0]!, $0[1]!, as: type, f) }
        }
    }

    static let bitwiseNot: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.integerTypes)
        return ONNXKernel(type) { HostMath.integers($0[0]!, as: type) { ~$0 } }
    }

    static let bitShift: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: [.uint8, .uint16, .uint32, .uint64])
        let left = try ctx.choice("direction", ["LEFT", "RIGHT"]) == "LEFT"
        return ONNXKernel(type) {
            try HostMath.integers($0[0]!, $0[1]!, as: type) { x, s in
                guard s >= 0 && s < 64 else { return 0 }
                return left ? Int64(bitPattern: UInt64(bitPattern: x) << UInt64(s)) : Int64(bitPattern: UInt64(bitPattern: x) >> UInt64(s))
            }
        }
    }

    /// `condition ? x : y` with three-way broadcasting.
    static let whereOp: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        try ctx.type(0, in: [.bool])
        let type = try ctx.sameType([1, 2])
        return ONNXKernel(type) { inputs in
            let (c, x, y) = (inputs[0]!, inputs[1]!, inputs[2]!)
            let shape = try broadcastShape([c.shape, x.shape, y.shape])
            if type.isFloatingPoint { return x.with(Tensor.where(c.floatTensor, x.tensor, y.tensor)) }
            let (oc, ox, oy) = (broadcastOffsets(c.shape, to: shape), broadcastOffsets(x.shape, to: shape),
                                broadcastOffsets(y.shape, to: shape))
            let (pc, px, py) = (c.tensor.int32s, x.tensor.int32s, y.tensor.int32s)
            let out = Tensor(uninitializedShape: shape, dtype: .int32)
            for i in 0..<out.count { out.int32s[i] = pc[oc[i]] != 0 ? px[ox[i]] : py[oy[i]] }
            return x.with(out)
        }
    }
}
