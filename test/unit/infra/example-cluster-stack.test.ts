// The example stack that creates its own EKS cluster, synthesized once (bundling skipped:
// the runner stack's test covers the bundles).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { rbacManifests } from '../../../infra/constructs/cluster-rbac.ts';
import { type Cfn, EXAMPLE_CONTEXT, synthApp } from './support.ts';

const { example } = synthApp(EXAMPLE_CONTEXT);
assert.ok(example, 'the example stack is part of the app with -c exampleCluster=true');
const template = Template.fromStack(example);
const json = template.toJSON();
const clusterId = Object.keys(template.findResources('AWS::EKS::Cluster'))[0] as string;
const cluster = json.Resources[clusterId].Properties;
const runnerFunctions = Object.entries(
  template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: Match.objectLike({ CLUSTER_ACCESS: 'eks' }) } },
  }),
) as [string, Cfn][];

describe('example cluster', () => {
  test('is an EKS Auto Mode cluster at the Kubernetes version the local stack runs', () => {
    assert.equal(cluster.Version, '1.35');
    assert.equal(cluster.ComputeConfig.Enabled, true);
  });

  test('authenticates with access entries (API mode) and logs every control-plane log type', () => {
    assert.equal(cluster.AccessConfig.AuthenticationMode, 'API');
    assert.deepEqual(
      cluster.Logging.ClusterLogging.EnabledTypes.map((t: { Type: string }) => t.Type).sort(),
      ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
    );
  });

  test('has a private API endpoint only', () => {
    assert.equal(cluster.ResourcesVpcConfig.EndpointPrivateAccess, true);
    assert.equal(cluster.ResourcesVpcConfig.EndpointPublicAccess, false);
  });

  test('kubectl runs from the layer given in the context', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: Match.arrayWith([EXAMPLE_CONTEXT.kubectlLayerArn]),
    });
    const layers = Object.values(template.findResources('AWS::Lambda::LayerVersion')) as Cfn[];
    assert.ok(!layers.some((layer) => String(layer.Properties.Description).includes('kubectl')));
  });

  test("without one, from the kubectl-v35 package's layer, deployed with the stack: no hand step", () => {
    const { kubectlLayerArn: _, ...context } = EXAMPLE_CONTEXT;
    const { example: packaged } = synthApp(context);
    assert.ok(packaged);
    const layered = Template.fromStack(packaged);
    const [layerId] = Object.entries(layered.findResources('AWS::Lambda::LayerVersion'))
      .filter(([, layer]) => String((layer as Cfn).Properties.Description).includes('kubectl'))
      .map(([id]) => id);
    assert.ok(layerId, "the package's kubectl layer in the stack");
    layered.hasResourceProperties('AWS::Lambda::Function', { Layers: Match.arrayWith([{ Ref: layerId }]) });
  });

  test("spreads over the region's first two AZs, which CloudFormation picks: no lookup, no hard-coded name", () => {
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map(
      (s: Cfn) => s.Properties.AvailabilityZone,
    );
    assert.deepEqual(
      [...new Set(zones.map((zone) => JSON.stringify(zone)))].sort(),
      [0, 1].map((i) => JSON.stringify({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })),
    );
  });
});

describe('runner on the example cluster', () => {
  test('both functions run in the private subnets and may reach the API server on 443', () => {
    assert.equal(runnerFunctions.length, 2);
    for (const [, fn] of runnerFunctions) {
      const vpc = fn.Properties.VpcConfig;
      assert.deepEqual(vpc.SubnetIds, cluster.ResourcesVpcConfig.SubnetIds);
      const sg = vpc.SecurityGroupIds[0]['Fn::GetAtt'][0];
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [sg, 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      });
    }
  });

  test('the functions read the created cluster name and may describe only that cluster', () => {
    for (const [, fn] of runnerFunctions) {
      assert.deepEqual(fn.Properties.Environment.Variables.EKS_CLUSTER_NAME, { Ref: clusterId });
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: role }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: 'eks:DescribeCluster',
              Effect: 'Allow',
              Resource: { 'Fn::GetAtt': [clusterId, 'Arn'] },
            },
          ]),
        },
      });
    }
  });

  test("an access entry per function role into that function's group, on this cluster", () => {
    for (const [, fn] of runnerFunctions) {
      const service = fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME;
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: { Ref: clusterId },
        PrincipalArn: fn.Properties.Role,
        KubernetesGroups: [`eks-job-runner-${service}`],
        Type: 'STANDARD',
      });
    }
  });

  test('CDK applies the namespace and infra/k8s/rbac.yaml to it, unchanged but for the namespace', () => {
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).map(
      (r: Cfn) => r.Properties,
    );
    assert.equal(manifests.length, 1);
    assert.deepEqual(manifests[0].ClusterName, { Ref: clusterId });
    const applied = JSON.parse(manifests[0].Manifest) as Cfn[];
    const withoutPruneLabel = (doc: Cfn) => {
      const labels = Object.fromEntries(
        Object.entries(doc.metadata.labels ?? {}).filter(([key]) => !key.startsWith('aws.cdk.eks/prune-')),
      );
      return { ...doc, metadata: { ...doc.metadata, labels } };
    };
    assert.deepEqual(
      applied.map((doc) => doc.kind),
      ['Namespace', 'Role', 'RoleBinding', 'Role', 'RoleBinding'],
    );
    assert.deepEqual(applied[0].metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.deepEqual(applied.slice(1).map(withoutPruneLabel), rbacManifests('jobs'));
  });

  test('no kubectl command is printed: CDK manages the RBAC here', () => {
    const outputs = JSON.stringify(json.Outputs);
    assert.ok(!outputs.includes('kubectl apply'));
  });

  test('the table is destroyed with the throwaway example', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0] as Cfn;
    assert.equal(table.DeletionPolicy, 'Delete');
  });
});
