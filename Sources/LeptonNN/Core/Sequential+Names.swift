import LeptonTensor

extension Sequential {
    /// Every layer's name, in order: the layer's own ``Module/name`` when it has one, otherwise a
    /// Keras-style name from its type, numbered per model (`conv2d`, `max_pooling2d`, `dense`,
    /// `dense_1`, …) and never equal to another layer's name.
    public var layerNames: [String] {
        let given = Set(layers.compactMap(\.name))
        var counters: [String: Int] = [:]
        return layers.map { layer in
            if let name = layer.name { return name }
            let base = Self.snakeCase(String(describing: type(of: layer)))
            var name: String
            repeat {
                let k = counters[base, default: 0]
                counters[base] = k + 1
                name = k == 0 ? base : "\(base)_\(k)"
            } while given.contains(name)
            return name
        }
    }

    /// Keras's `to_snake_case`: `Conv2DTranspose` → `conv2d_transpose`, `MaxPooling2D` →
    /// `max_pooling2d`, `LSTM` → `lstm`, `SimpleRNN` → `simple_rnn`. An underscore goes before
    /// each capital that starts a lower-case word, and between a lower-case letter and a capital.
    static func snakeCase(_ type: String) -> String {
        let c = Array(type.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        var out = ""
        for i in c.indices {
            let startsWord = i > 0 && c[i].isUppercase && i + 1 < c.count && c[i + 1].isLowercase
            let afterLower = i > 0 && c[i].isUppercase && c[i - 1].isLowercase
            if (startsWord || afterLower) && out.last != "_" { out += "_" }
            out += c[i].lowercased()
        }
        return out
    }
}
