import { Module, type DynamicModule } from '@nestjs/common';
import { RunEventsGateway } from './run-events.gateway.js';
import { resolveWsGatewayOptions, WS_GATEWAY_OPTIONS, type WsGatewayOptions } from './ws-gateway-options.js';

/**
 * The `/ws` gateway. It needs `RUN_EVENT_FEED` from the app module and the app's
 * `SagaflowWsAdapter` (src/interfaces/realtime), which routes `/ws` upgrades to it.
 */
@Module({})
export class WsInterfaceModule {
  static register(options: Partial<WsGatewayOptions> = {}): DynamicModule {
    return {
      module: WsInterfaceModule,
      providers: [
        { provide: WS_GATEWAY_OPTIONS, useValue: resolveWsGatewayOptions(options) },
        RunEventsGateway,
      ],
      exports: [RunEventsGateway],
    };
  }
}
