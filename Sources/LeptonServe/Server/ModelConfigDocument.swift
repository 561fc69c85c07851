/// `GET /v2/models/{name}/config`: a served model's effective configuration in Triton's field names.
struct ModelConfigDocument: Encodable {
    struct TensorConfig: Encodable {
        var name: String
        var data_type: String
        var dims: [Int]
    }

    struct InstanceGroup: Encodable {
        var count: Int
        var kind = "KIND_CPU"
    }

    struct DynamicBatching: Encodable {
        var max_queue_delay_microseconds: Int
    }

    var name: String
    var platform: String
    var max_batch_size: Int
    var max_queue_size: Int
    var input: [TensorConfig]
    var output: [TensorConfig]
    var dynamic_batching: DynamicBatching?
    var instance_group: [InstanceGroup]
    var version_policy: JSONValue

    init(_ model: ServedModel) {
        let config = model.config
        name = model.name
        platform = model.model.platform
        max_batch_size = config.maxBatchSize
        max_queue_size = config.maxQueueSize
        // Triton's dims leave out the batch dimension when max_batch_size > 0, else are the whole shape.
        let dims = { (spec: TensorSpec) in config.maxBatchSize > 0 ? spec.dims : model.shape(spec) }
        input = model.model.inputs.map { TensorConfig(name: $0.name, data_type: "TYPE_" + $0.datatype.rawValue, dims: dims($0)) }
        output = model.model.outputs.map { TensorConfig(name: $0.name, data_type: "TYPE_" + $0.datatype.rawValue, dims: dims($0)) }
        dynamic_batching = config.dynamicBatching ? DynamicBatching(max_queue_delay_microseconds: config.maxQueueDelayMicroseconds) : nil
        instance_group = [InstanceGroup(count: config.instanceCount)]
        switch config.versionPolicy {
        case .latest(let n): version_policy = .object(["latest": .object(["num_versions": .int(Int64(n))])])
        case .all: version_policy = .object(["all": .object([:])])
        case .specific(let versions): version_policy = .object(["specific": .object(["versions": .array(versions.map { .int(Int64($0)) })])])
        }
    }
}
