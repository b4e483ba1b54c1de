// The CDK app: `cdk synth` runs this with Node 24, which strips the TypeScript types.
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.ts';

const app = new App();
buildApp(app);
app.synth();
