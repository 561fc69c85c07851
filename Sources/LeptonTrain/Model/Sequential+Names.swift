import LeptonNN
import LeptonTensor

extension Sequential {
    /// The position of the layer called `name`.
    /// - Throws: ``TrainingError`` listing the model's layer names when none (or more than one) is called `name`.
    public func layerIndex(named name: String) throws -> Int {
        let names = layerNames
        let matches = names.indices.filter { names[$0] == name }
        guard matches.count == 1 else {
            let problem = matches.isEmpty ? "no layer is named '\(name)'" : "\(matches.count) layers are named '\(name)'"
            throw TrainingError("\(problem); the model's layers are \(names.joined(separator: ", "))")
        }
        return matches[0]
    }

    /// The layer called `name` (Keras's `get_layer`).
    /// - Throws: ``TrainingError`` listing the model's layer names when there is no such layer.
    public func layer(named name: String) throws -> Module {
        layers[try layerIndex(named: name)]
    }
}
