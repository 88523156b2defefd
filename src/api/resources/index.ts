// The resources AutodlClient composes, one small module each over the shared requester.
export { Images } from './images.js';
export { Deployments } from './deployments.js';
export { Containers } from './containers.js';
export { Events, type FollowOptions } from './events.js';
export { Blacklist } from './blacklist.js';
export { StockResource } from './stock.js';
export { paginate, pageBody, DEFAULT_LIST_ALL_PAGE_SIZE, DEFAULT_PAGE_SIZE, type PageOptions, type Filter } from './paging.js';
